import type { DailyBar } from '../core/daily-bar.js';

/**
 * Largest price difference still taken as equal: prices have at most four decimals, and a
 * float column may hold 471.49999999 for 471.5.
 */
export const PRICE_TOLERANCE = 0.00005;

/** The compared part of a bar. */
export interface OhlcvValues {
  open_price: number;
  high_price: number;
  low_price: number;
  close_price: number;
  volume: number;
}

export type OhlcvField = keyof OhlcvValues;

/** One overlap day whose stored and fetched values differ. */
export interface OverlapMismatch {
  trade_date: string;
  /** The fields that differ, in OHLCV order. */
  fields: OhlcvField[];
  stored: OhlcvValues;
  fetched: OhlcvValues;
}

/**
 * - `match`: every day present in both agrees (`compared` days).
 * - `revised`: the mirror changed history (an ex-dividend adjustment): refetch in full.
 * - `no_overlap`: no stored day is among the fetched ones, so nothing proves the new
 *   bars continue the stored series: refetch in full.
 */
export type OverlapResult =
  | { kind: 'match'; compared: number }
  | { kind: 'revised'; compared: number; mismatches: OverlapMismatch[] }
  | { kind: 'no_overlap' };

const PRICE_FIELDS = ['open_price', 'high_price', 'low_price', 'close_price'] as const;

/**
 * Compares a symbol's last few stored bars with freshly fetched ones on the days present
 * in both; prices within {@link PRICE_TOLERANCE}, volume exactly. Days only one side has
 * are ignored, so the answer does not depend on how many bars the mirror sent back
 * (it may ignore `c` and send 1,440).
 */
export function compareOverlap(stored: readonly DailyBar[], fetched: readonly DailyBar[]): OverlapResult {
  const byDate = new Map<string, DailyBar>();
  for (const bar of stored) byDate.set(bar.trade_date, bar);
  let compared = 0;
  const mismatches: OverlapMismatch[] = [];
  for (const bar of fetched) {
    const old = byDate.get(bar.trade_date);
    if (old === undefined) continue;
    compared += 1;
    const fields = differingFields(old, bar);
    if (fields.length > 0) {
      mismatches.push({ trade_date: bar.trade_date, fields, stored: ohlcv(old), fetched: ohlcv(bar) });
    }
  }
  if (compared === 0) return { kind: 'no_overlap' };
  if (mismatches.length > 0) return { kind: 'revised', compared, mismatches };
  return { kind: 'match', compared };
}

function differingFields(a: OhlcvValues, b: OhlcvValues): OhlcvField[] {
  const fields: OhlcvField[] = [];
  for (const field of PRICE_FIELDS) {
    // Written so that NaN on either side counts as a difference.
    if (!(Math.abs(a[field] - b[field]) <= PRICE_TOLERANCE)) fields.push(field);
  }
  if (a.volume !== b.volume) fields.push('volume');
  return fields;
}

function ohlcv(bar: DailyBar): OhlcvValues {
  return {
    open_price: bar.open_price,
    high_price: bar.high_price,
    low_price: bar.low_price,
    close_price: bar.close_price,
    volume: bar.volume,
  };
}
