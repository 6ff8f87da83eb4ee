import type { AgreementReport } from '../../src/verify/agreement-report.js';
import type { AgainstReport } from '../../src/verify/check-against.js';
import type { CompletenessReport } from '../../src/verify/check-completeness.js';

/** A complete store's completeness report, `overrides` last. */
export function completenessReport(overrides: Partial<CompletenessReport> = {}): CompletenessReport {
  return {
    symbols: 300,
    up_to_date: 300,
    lagging: [],
    gaps: { symbols: 0, days: 0, examples: [] },
    closures: [],
    last_session: '2026-11-13',
    ...overrides,
  };
}

/** An agreement report of 50 symbols × 20 bars, `agree` of them agreeing and the rest store_differs. */
export function agreementReport(agree = 1000, overrides: Partial<AgreementReport> = {}): AgreementReport {
  return {
    symbols: 50,
    bars_compared: 1000,
    agree,
    store_differs: 1000 - agree,
    mirrors_disagree: 0,
    missing_in_store: 0,
    missing_on_mirrors: 0,
    pct: agree / 10,
    repaired: 0,
    examples: [],
    failed: 0,
    failures: [],
    skipped: 0,
    third_mirror: 0,
    after_repair: null,
    ...overrides,
  };
}

/** An against report over 1,000 rows with `differences` value differences. */
export function againstReport(differences = 0, overrides: Partial<AgainstReport> = {}): AgainstReport {
  return {
    target: 'postgres://old:***@db/stocks',
    from: null,
    to: '2026-11-13',
    symbols: 50,
    rows_both: 1000,
    only_ours: 0,
    only_theirs: 0,
    value_differences: differences,
    pct: 100 - differences / 10,
    duplicates_theirs: 0,
    examples: [],
    ...overrides,
  };
}
