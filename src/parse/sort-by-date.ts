import type { DailySeries } from '../core/daily-series.js';

const COLUMN_COUNT = 6;

/** Missing dates (NaN) sort after every real one. */
function dateKey(date: number): number {
  return Number.isNaN(date) ? Infinity : date;
}

/** Whether dates[0 … count) are in order, missing (NaN) ones last: one comparison per row. */
function isSorted(dates: Float64Array, count: number): boolean {
  for (let i = 1; i < count; i++) {
    const date = dates[i]!;
    // False also when either is NaN; then only a real date after a missing one is out of order.
    if (!(date >= dates[i - 1]!) && !Number.isNaN(date)) return false;
  }
  return true;
}

/**
 * Returns the series with rows in date order, oldest first. Stable: rows with the
 * same date keep their payload order (duplicates are kept; the validator collapses
 * them). Already-sorted input, the common case, is returned as is.
 */
export function sortByDate(series: DailySeries): DailySeries {
  const { count, values } = series;
  if (isSorted(values, count)) return series;

  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => dateKey(values[a]!) - dateKey(values[b]!) || a - b);
  const out = new Float64Array(values.length);
  for (let col = 0; col < COLUMN_COUNT; col++) {
    const base = col * count;
    for (let i = 0; i < count; i++) out[base + i] = values[base + order[i]!]!;
  }
  return { count, values: out, sections: series.sections };
}
