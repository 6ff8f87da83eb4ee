import type { DayRange, SymbolRowsReader } from '../db/quality/symbol-rows.js';
import type { AgainstExample } from './compare-rows.js';
import { compareRows } from './compare-rows.js';
import { MAX_EXAMPLES } from './max-examples.js';
import { meetsPercent, percent } from './percent.js';

/** The `against` part of the verify document. */
export interface AgainstReport {
  /** The other database, password redacted. */
  target: string;
  from: string | null;
  to: string | null;
  /** Symbols compared. */
  symbols: number;
  /** Days present on both sides (the values may differ). */
  rows_both: number;
  only_ours: number;
  only_theirs: number;
  /** Days on both sides whose values differ: prices beyond 0.01, or volume. */
  value_differences: number;
  /** Days that are the same on both sides, of every day on either side, in percent. */
  pct: number;
  /** Extra rows their table holds for a day it already has (it may lack the unique key). */
  duplicates_theirs: number;
  /** The first 100 rows not the same on both sides. */
  examples: AgainstExample[];
}

/** What {@link checkAgainst} compares. */
export interface AgainstInput {
  symbols: readonly string[];
  ours: SymbolRowsReader;
  theirs: SymbolRowsReader & { target: string };
  range: DayRange;
  /** Stops between symbols; the report then covers the symbols compared so far. */
  signal?: AbortSignal | undefined;
}

/**
 * Compares our rows with another database's, symbol by symbol (both sides of one symbol
 * read together, then dropped), so memory holds one symbol's history at a time.
 */
export async function checkAgainst(input: AgainstInput): Promise<AgainstReport> {
  const report: AgainstReport = {
    target: input.theirs.target,
    from: input.range.from ?? null,
    to: input.range.to ?? null,
    symbols: 0,
    rows_both: 0,
    only_ours: 0,
    only_theirs: 0,
    value_differences: 0,
    pct: 100,
    duplicates_theirs: 0,
    examples: [],
  };
  for (const symbol of input.symbols) {
    if (input.signal?.aborted) break;
    const [ours, theirs] = await Promise.all([input.ours.rows(symbol, input.range), input.theirs.rows(symbol, input.range)]);
    const compared = compareRows(symbol, ours, theirs, MAX_EXAMPLES - report.examples.length);
    report.symbols += 1;
    report.rows_both += compared.both;
    report.only_ours += compared.onlyOurs;
    report.only_theirs += compared.onlyTheirs;
    report.value_differences += compared.differences;
    report.duplicates_theirs += compared.duplicatesTheirs;
    report.examples.push(...compared.examples);
  }
  const [same, all] = againstCounts(report);
  report.pct = percent(same, all);
  return report;
}

/** Whether the other database agrees with ours on at least `minPct` percent of the days. */
export function againstPasses(report: AgainstReport, minPct: number): boolean {
  const [same, all] = againstCounts(report);
  return meetsPercent(same, all, minPct);
}

function againstCounts(report: AgainstReport): [same: number, all: number] {
  return [report.rows_both - report.value_differences, report.rows_both + report.only_ours + report.only_theirs];
}
