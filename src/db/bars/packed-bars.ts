import type { DailyBar } from '../../core/daily-bar.js';
import { VALUE_COLUMNS } from './upsert-bars-sql.js';

/** One symbol's bars and the mirror they came from: one all-or-nothing unit of a write. */
export interface SymbolBars {
  symbol: string;
  bars: readonly DailyBar[];
  /** The mirror's name, stored in data_source. */
  source: string;
}

/**
 * One symbol's bars in columns, the form a write waits in between the validator and
 * its statement. A backfill keeps tens of thousands of bars waiting for the database;
 * as objects (one per bar, five boxed numbers each) they outlive the young generation
 * and swell the heap, as columns they are one typed array off the heap and an array of
 * the day strings the validator already shares.
 */
export interface PackedBars {
  symbol: string;
  /** The mirror's name, stored in data_source. */
  source: string;
  count: number;
  /** 'YYYY-MM-DD' of each bar. */
  days: string[];
  /** `count * 5` values in VALUE_COLUMNS order: opens, highs, lows, closes, volumes. */
  values: Float64Array;
  /** 1 where the bar's data_quality is 'weekend'. */
  weekend: Uint8Array;
}

/** Packs bars that checkBars accepted (and dedupeBars made unique). */
export function packBars(group: SymbolBars): PackedBars {
  const count = group.bars.length;
  const values = new Float64Array(count * VALUE_COLUMNS.length);
  const weekend = new Uint8Array(count);
  const days = new Array<string>(count);
  for (let i = 0; i < count; i += 1) {
    const bar = group.bars[i] as DailyBar;
    days[i] = bar.trade_date;
    values[i] = bar.open_price;
    values[count + i] = bar.high_price;
    values[2 * count + i] = bar.low_price;
    values[3 * count + i] = bar.close_price;
    values[4 * count + i] = bar.volume;
    weekend[i] = bar.data_quality === 'weekend' ? 1 : 0;
  }
  return { symbol: group.symbol, source: group.source, count, days, values, weekend };
}

/** Column `c` of VALUE_COLUMNS for bar `i`. */
export function packedValue(packed: PackedBars, c: number, i: number): number {
  return packed.values[c * packed.count + i] as number;
}
