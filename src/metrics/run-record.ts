import type { SymbolResult } from '../batch/crawl-symbol.js';
import type { BatchSummary } from '../batch/summary.js';

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

/** The record of an `update` run, read off its summary. */
export function runRecordFromSummary(summary: BatchSummary): RunRecord {
  const { result } = summary;
  const circuitOpens: Record<string, number> = {};
  for (const [mirror, stats] of Object.entries(result.brokers)) circuitOpens[mirror] = stats.circuit_opens;
  return {
    finishedAtMs: Date.parse(summary.updated_at),
    durationMs: result.duration_ms,
    succeeded: summary.success,
    dryRun: summary.dry_run,
    symbols: {
      stored: result.succeeded - result.revised,
      revised: result.revised,
      no_data: result.no_data,
      skipped: result.skipped,
      failed: result.failed,
      aborted: result.aborted,
    },
    rows: { ...result.rows },
    circuitOpens,
  };
}

/** The record of a `fetch` run: one symbol. A mirror saying "no data" is a success, as its exit code says. */
export function runRecordFromFetch(result: SymbolResult, run: { startedAtMs: number; finishedAtMs: number; dryRun: boolean }): RunRecord {
  const symbols = Object.fromEntries(SYMBOL_OUTCOMES.map((outcome) => [outcome, 0])) as Record<SymbolOutcomeLabel, number>;
  const rows: RowTotals = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  if (!result.ok) symbols.failed = 1;
  else {
    symbols[result.validation.input === 0 ? 'no_data' : 'stored'] = 1;
    rows.created = result.counts?.created ?? 0;
    rows.updated = result.counts?.updated ?? 0;
    rows.unchanged = result.counts?.unchanged ?? 0;
    rows.rejected = result.validation.rejected;
  }
  return {
    finishedAtMs: run.finishedAtMs,
    durationMs: Math.max(0, run.finishedAtMs - run.startedAtMs),
    succeeded: result.ok,
    dryRun: run.dryRun,
    symbols,
    rows,
  };
}
