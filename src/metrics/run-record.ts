/** How a symbol ended, as a label: disjoint, so the values add up to the run's total. */
export const SYMBOL_OUTCOMES = ['stored', 'revised', 'no_data', 'skipped', 'failed', 'aborted'] as const;

export type SymbolOutcomeLabel = (typeof SYMBOL_OUTCOMES)[number];

/** Row counts as the summary reports them (`updated` includes rows of revised histories). */
export interface RowTotals {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** What the metrics need to know about a finished run; plain data, whichever command ran. */
export interface RunRecord {
  /** Wall-clock end of the run, ms since the epoch. */
  finishedAtMs: number;
  durationMs: number;
  /** The run did all it was asked (exit 0): no failed symbol, no fatal error, not interrupted. */
  succeeded: boolean;
  /** Nothing was written; such a run never counts as the last success. */
  dryRun: boolean;
  symbols: Record<SymbolOutcomeLabel, number>;
  rows: RowTotals;
  /** Per mirror, when a batch scheduler (with circuit breakers) ran. */
  circuitOpens?: Readonly<Record<string, number>> | undefined;
}
