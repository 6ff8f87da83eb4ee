import { describe, expect, it } from 'vitest';
import { failedChecks, verifyDocument, type VerifyFindings } from '../../src/verify/verify-document.js';
import { againstReport, agreementReport, completenessReport } from './reports.js';

const FINISHED = Date.UTC(2026, 10, 16, 2, 0, 0);

function findings(overrides: Partial<VerifyFindings> = {}): VerifyFindings {
  return {
    runId: 'run-1',
    completeness: completenessReport(),
    agreement: agreementReport(),
    against: null,
    minAgreement: 99.9,
    durationMs: 4_100.4,
    finishedAtMs: FINISHED,
    interrupted: false,
    ...overrides,
  };
}

describe('failedChecks', () => {
  it('passes a complete store in full agreement', () => {
    expect(failedChecks(findings({ against: againstReport() }))).toEqual([]);
  });

  it('fails completeness on a gap or a lagging symbol', () => {
    expect(failedChecks(findings({ completeness: completenessReport({ gaps: { symbols: 1, days: 1, examples: [] } }) }))).toEqual(['completeness']);
    expect(failedChecks(findings({ completeness: completenessReport({ lagging: ['2330'], up_to_date: 299 }) }))).toEqual(['completeness']);
  });

  it('holds agreement to the threshold on exact counts: 999 of 1,000 passes 99.9, 998 does not', () => {
    expect(failedChecks(findings({ agreement: agreementReport(999) }))).toEqual([]);
    expect(failedChecks(findings({ agreement: agreementReport(998) }))).toEqual(['agreement']);
    expect(failedChecks(findings({ agreement: agreementReport(998), minAgreement: 99.8 }))).toEqual([]);
  });

  it('judges agreement after the repair when one was made, and fails it for a symbol not compared', () => {
    const repaired = agreementReport(990, { repaired: 10, after_repair: { ...agreementReport(), pct: 100 } });
    expect(failedChecks(findings({ agreement: repaired }))).toEqual([]);
    expect(failedChecks(findings({ agreement: agreementReport(1000, { failed: 1 }) }))).toEqual(['agreement']);
  });

  it('fails against below the threshold, and ignores the checks that did not run', () => {
    expect(failedChecks(findings({ against: againstReport(2) }))).toEqual(['against']);
    expect(failedChecks(findings({ agreement: null, against: null }))).toEqual([]);
  });
});

describe('verifyDocument', () => {
  it('has the issue\'s shape and says in one line what was found', () => {
    const document = verifyDocument(findings({ against: againstReport(), completeness: completenessReport({ closures: ['2026-10-10'] }) }));
    expect(document).toMatchObject({
      success: true,
      run_id: 'run-1',
      result: { failed_checks: [], min_agreement: 99.9, duration_ms: 4100, agreement: { pct: 100 }, against: { pct: 100 } },
      updated_at: '2026-11-16T02:00:00.000Z',
      source: 'node',
      interrupted: false,
    });
    expect(Object.keys(document.result).slice(0, 3)).toEqual(['completeness', 'agreement', 'against']);
    expect(document.message).toBe(
      'completeness: 300 of 300 symbols up to date with 2026-11-13, 0 missing days in 0 symbols, 1 closure; ' +
        'agreement: 100 % of 1000 bars in 50 symbols (0 store_differs, 0 mirrors_disagree, 0 missing_in_store, 0 missing_on_mirrors); ' +
        'against: 100 % of 1000 rows in 50 symbols (0 only ours, 0 only theirs, 0 differing) — every check passed',
    );
  });

  it('names the failed checks, and is never a success when interrupted', () => {
    const failed = verifyDocument(findings({ agreement: agreementReport(900) }));
    expect(failed.success).toBe(false);
    expect(failed.message).toMatch(/— failed: agreement$/);
    const interrupted = verifyDocument(findings({ interrupted: true }));
    expect(interrupted).toMatchObject({ success: false, interrupted: true });
    expect(interrupted.message).toMatch(/— interrupted$/);
  });
});
