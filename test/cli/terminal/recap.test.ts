import { describe, expect, it } from 'vitest';
import { buildBatchSummary, emptyCounts, type BrokerStats, type BuildSummaryInput } from '../../../src/batch/summary.js';
import { formatRecap } from '../../../src/cli/terminal/recap.js';
import { unlistedLegacyKeys } from '../../support/legacy-keys.js';

const mirror = (requests: number, errors: number, faults: BrokerStats['faults'] = {}): BrokerStats => ({
  requests,
  ok: requests - errors,
  errors,
  circuitOpens: 0,
  p50Ms: 100,
  p95Ms: 300,
  faults,
});

function summaryOf(overrides: Partial<BuildSummaryInput> = {}) {
  return buildBatchSummary({
    runId: 'run-1',
    startedAtMs: 0,
    finishedAtMs: 312_400,
    total: 1_246,
    legacy: unlistedLegacyKeys(1_246),
    counts: { ...emptyCounts(), succeeded: 1_230, revised: 3, failed: 4, skipped: 12, rows: { created: 1_440, updated: 12, unchanged: 7, rejected: 0 } },
    brokers: {
      fubon: mirror(410, 23, { reset: 12, timeout: 11 }),
      kgi: mirror(380, 5, { http_5xx: 5 }),
      sinopac: mirror(400, 0),
    },
    failures: [],
    interrupted: false,
    dryRun: false,
    ...overrides,
  });
}

describe('formatRecap', () => {
  it('says what was stored, skipped and failed, the rows, the time and the worst mirror', () => {
    expect(formatRecap(summaryOf())).toEqual([
      'update: 1,230 stored (3 revised), 12 skipped, 4 failed of 1,246 symbols in 5m12s',
      'rows: 1,440 created, 12 updated',
      'worst mirror: fubon, 23 errors in 410 requests (reset 12, timeout 11)',
    ]);
  });

  it('names no mirror when none had an error, and shows seconds for a short run', () => {
    const summary = summaryOf({
      finishedAtMs: 4_250,
      total: 3,
      counts: { ...emptyCounts(), succeeded: 3, rows: { created: 30, updated: 0, unchanged: 0, rejected: 0 } },
      brokers: { fubon: mirror(3, 0) },
    });
    expect(formatRecap(summary)).toEqual(['update: 3 stored, 0 skipped, 0 failed of 3 symbols in 4.3 s', 'rows: 30 created, 0 updated']);
  });

  it('says when the run was interrupted or dry, and counts symbols without data or never attempted', () => {
    const summary = summaryOf({
      total: 100,
      counts: { ...emptyCounts(), succeeded: 50, noData: 2, skipped: 8, failed: 1 },
      interrupted: true,
      dryRun: true,
    });
    expect(formatRecap(summary)[0]).toBe(
      'update (dry run, nothing written, interrupted): 50 stored, 8 skipped, 1 failed, 2 without data, 39 not attempted of 100 symbols in 5m12s',
    );
  });

  it('on a tie in errors picks the mirror with fewer requests (the worse rate)', () => {
    const summary = summaryOf({ brokers: { fubon: mirror(400, 7, { html: 7 }), kgi: mirror(20, 7, { refused: 7 }) } });
    expect(formatRecap(summary).at(-1)).toBe('worst mirror: kgi, 7 errors in 20 requests (refused 7)');
  });
});
