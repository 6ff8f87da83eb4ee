import { describe, expect, it } from 'vitest';
import { createVerifyMetrics, VERIFY_METRIC } from '../../src/verify/verify-metrics.js';
import { verifyDocument, type VerifyFindings } from '../../src/verify/verify-document.js';
import { find, parseExposition, valueOf } from '../metrics/exposition.js';
import { againstReport, agreementReport, completenessReport } from './reports.js';

const FINISHED = Date.UTC(2026, 10, 16, 2, 0, 0);

function document(overrides: Partial<VerifyFindings> = {}) {
  return verifyDocument({
    runId: 'run-1',
    completeness: completenessReport({ lagging: ['2330', '2317'], up_to_date: 298, gaps: { symbols: 3, days: 5, examples: [{ stock_code: '2330', trade_date: '2026-11-04' }] }, closures: ['2026-10-10'] }),
    agreement: agreementReport(995, { repaired: 5, after_repair: { ...agreementReport(1000), pct: 100 } }),
    against: againstReport(10),
    minAgreement: 99.9,
    durationMs: 12_500,
    finishedAtMs: FINISHED,
    interrupted: false,
    ...overrides,
  });
}

describe('createVerifyMetrics', () => {
  it('exposes the counts of every check that ran, named stock_crawler_verify_*, labelled by check, class or kind only', async () => {
    const exposition = parseExposition(await createVerifyMetrics(document()).text());
    expect([...exposition.types.keys()].every((name) => name.startsWith('stock_crawler_verify_'))).toBe(true);
    expect(valueOf(exposition, VERIFY_METRIC.checkPassed, { check: 'completeness' })).toBe(0);
    expect(valueOf(exposition, VERIFY_METRIC.checkPassed, { check: 'agreement' })).toBe(1);
    expect(valueOf(exposition, VERIFY_METRIC.checkPassed, { check: 'against' })).toBe(0);
    expect(valueOf(exposition, VERIFY_METRIC.laggingSymbols)).toBe(2);
    expect(valueOf(exposition, VERIFY_METRIC.gapDays)).toBe(5);
    expect(valueOf(exposition, VERIFY_METRIC.gapSymbols)).toBe(3);
    expect(valueOf(exposition, VERIFY_METRIC.closures)).toBe(1);
    expect(valueOf(exposition, VERIFY_METRIC.bars, { class: 'agree' })).toBe(1000);
    expect(valueOf(exposition, VERIFY_METRIC.bars, { class: 'store_differs' })).toBe(0);
    expect(valueOf(exposition, VERIFY_METRIC.agreementRatio)).toBe(1);
    expect(valueOf(exposition, VERIFY_METRIC.repairedBars)).toBe(5);
    expect(valueOf(exposition, VERIFY_METRIC.againstRows, { kind: 'value_differences' })).toBe(10);
    expect(valueOf(exposition, VERIFY_METRIC.againstRatio)).toBeCloseTo(0.99, 10);
    expect(valueOf(exposition, VERIFY_METRIC.symbols, { check: 'against' })).toBe(50);
    expect(valueOf(exposition, VERIFY_METRIC.duration)).toBe(12.5);
    expect(valueOf(exposition, VERIFY_METRIC.finished)).toBe(FINISHED / 1000);
    expect(valueOf(exposition, VERIFY_METRIC.succeeded)).toBe(0);
    const labels = new Set(exposition.samples.flatMap((sample) => Object.keys(sample.labels)));
    expect([...labels].sort()).toEqual(['check', 'class', 'kind']);
    expect(exposition.samples.some((sample) => Object.values(sample.labels).includes('2330'))).toBe(false);
  });

  it('leaves out the checks that did not run, rather than reporting a 0', async () => {
    const exposition = parseExposition(await createVerifyMetrics(document({ agreement: null, against: null })).text());
    expect(find(exposition, VERIFY_METRIC.checkPassed).map((sample) => sample.labels.check)).toEqual(['completeness']);
    expect(exposition.types.has(VERIFY_METRIC.bars)).toBe(false);
    expect(exposition.types.has(VERIFY_METRIC.againstRows)).toBe(false);
  });

  it('sets the last success time only on a run that passed, and can carry an earlier one', async () => {
    const passed = createVerifyMetrics(document({ completeness: completenessReport(), against: null }));
    expect(passed.countsAsSuccess()).toBe(true);
    expect(valueOf(parseExposition(await passed.text()), VERIFY_METRIC.lastSuccess)).toBe(FINISHED / 1000);

    const failed = createVerifyMetrics(document());
    expect(failed.countsAsSuccess()).toBe(false);
    expect(parseExposition(await failed.text()).types.has(VERIFY_METRIC.lastSuccess)).toBe(false);
    failed.keepLastSuccess(1_700_000_000);
    expect(valueOf(parseExposition(await failed.text()), VERIFY_METRIC.lastSuccess)).toBe(1_700_000_000);
  });
});
