import type { StoredRow } from '../db/quality/symbol-rows.js';
import { sameValues, valuesOf, type BarValues } from './bar-values.js';

/** One row that is not the same on both sides. */
export interface AgainstExample {
  stock_code: string;
  trade_date: string;
  kind: 'only_ours' | 'only_theirs' | 'differs';
  ours: BarValues | null;
  theirs: BarValues | null;
}

/** How one symbol's rows compare between our store and another database. */
export interface RowComparison {
  /** Days present on both sides. */
  both: number;
  onlyOurs: number;
  onlyTheirs: number;
  /** Days on both sides whose values differ (prices beyond 0.01, or volume). */
  differences: number;
  /** Extra rows for a day the other database holds more than once (its table may lack the unique key). */
  duplicatesTheirs: number;
  /** The first `exampleLimit` rows that differ, by day. */
  examples: AgainstExample[];
}

/**
 * Compares one symbol's rows day by day. Where their table holds a day twice (no unique
 * key), the last row in id order is the one compared and the others are counted as
 * duplicates: the old service read its rows the same way.
 */
export function compareRows(symbol: string, ours: readonly StoredRow[], theirs: readonly StoredRow[], exampleLimit: number): RowComparison {
  const theirsByDay = new Map<string, StoredRow>();
  let duplicatesTheirs = 0;
  for (const row of theirs) {
    if (theirsByDay.has(row.trade_date)) duplicatesTheirs += 1;
    theirsByDay.set(row.trade_date, row);
  }
  const oursByDay = new Map(ours.map((row) => [row.trade_date, row]));
  const result: RowComparison = { both: 0, onlyOurs: 0, onlyTheirs: 0, differences: 0, duplicatesTheirs, examples: [] };
  const note = (example: AgainstExample): void => {
    if (result.examples.length < exampleLimit) result.examples.push(example);
  };
  const days = [...new Set([...oursByDay.keys(), ...theirsByDay.keys()])].sort();
  for (const trade_date of days) {
    const our = oursByDay.get(trade_date);
    const their = theirsByDay.get(trade_date);
    if (our !== undefined && their !== undefined) {
      result.both += 1;
      if (!sameValues(our, their)) {
        result.differences += 1;
        note({ stock_code: symbol, trade_date, kind: 'differs', ours: valuesOf(our), theirs: valuesOf(their) });
      }
    } else if (our !== undefined) {
      result.onlyOurs += 1;
      note({ stock_code: symbol, trade_date, kind: 'only_ours', ours: valuesOf(our), theirs: null });
    } else if (their !== undefined) {
      result.onlyTheirs += 1;
      note({ stock_code: symbol, trade_date, kind: 'only_theirs', ours: null, theirs: valuesOf(their) });
    }
  }
  return result;
}
