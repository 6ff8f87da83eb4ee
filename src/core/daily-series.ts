/**
 * Parsed bars in columnar form: one Float64Array holding six equal columns
 * (dates as yyyymmdd integers, open, high, low, close, volume in lots).
 * A missing value is NaN, never 0. Rows are sorted by date, oldest first.
 *
 * One flat buffer keeps the worker-thread hop cheap: the result crosses back by
 * transfer, not by structured-clone of thousands of small objects.
 */
export interface DailySeries {
  /** Number of rows. */
  count: number;
  /** `count * 6` values: [dates…, opens…, highs…, lows…, closes…, volumes…]. */
  values: Float64Array;
  /** Sections the payload held (6, 23, …). */
  sections: number;
}

export const COLUMNS = ['date', 'open', 'high', 'low', 'close', 'volume'] as const;
export type Column = (typeof COLUMNS)[number];

export function columnOffset(series: DailySeries, column: Column): number {
  return COLUMNS.indexOf(column) * series.count;
}

/** Reads one column of a series as a subarray view (no copy). */
export function column(series: DailySeries, name: Column): Float64Array {
  const start = columnOffset(series, name);
  return series.values.subarray(start, start + series.count);
}
