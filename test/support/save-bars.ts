import type { DailyBar } from '../../src/core/daily-bar.js';
import type { DailyBarsRepository, UpsertCounts } from '../../src/db/bars/daily-bars-repository.js';
import { packBars } from '../../src/db/bars/packed-bars.js';
import { checkBars, dedupeBars, type SymbolBars } from '../../src/db/bars/upsert-parameters.js';

/** The one write entry point of the bars repository these helpers use. */
export type PackedWriter = Pick<DailyBarsRepository, 'upsertPacked'>;

/**
 * Saves several symbols, each with its own mirror, in ONE statement, the way the bar
 * writer prepares them: each symbol's bars checked (checkBars, E_INTERNAL for a bar of
 * another symbol or a non-finite value), repeated days dropped (the last wins), packed,
 * then `repository.upsertPacked`. Counts per symbol, in the order given.
 */
export async function saveSymbols(repository: PackedWriter, groups: readonly SymbolBars[]): Promise<Map<string, UpsertCounts>> {
  const packed = groups.map(({ symbol, bars, source }) => {
    checkBars(bars, symbol);
    return packBars({ symbol, bars: dedupeBars(bars), source });
  });
  return repository.upsertPacked(packed);
}

/**
 * Saves bars of any symbols, all from mirror `source`, in one statement through
 * {@link saveSymbols}: grouped by stock_code in first-seen order. Returns the counts
 * summed over the symbols (a repeated (stock_code, trade_date) counts once).
 */
export async function saveBars(repository: PackedWriter, bars: readonly DailyBar[], source: string): Promise<UpsertCounts> {
  const bySymbol = new Map<string, DailyBar[]>();
  for (const bar of bars) {
    const list = bySymbol.get(bar.stock_code);
    if (list === undefined) bySymbol.set(bar.stock_code, [bar]);
    else list.push(bar);
  }
  const counts = await saveSymbols(
    repository,
    [...bySymbol].map(([symbol, group]) => ({ symbol, bars: group, source })),
  );
  const total: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };
  for (const { created, updated, unchanged } of counts.values()) {
    total.created += created;
    total.updated += updated;
    total.unchanged += unchanged;
  }
  return total;
}
