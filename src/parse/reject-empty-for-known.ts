import type { DailySeries } from '../core/daily-series.js';
import { FormatError } from '../errors.js';

/**
 * The decoding rule for an answer without bars: for a symbol that has stored history it
 * is a mirror fault (`empty`), failed over like a block page; for an unknown symbol it is
 * "no data" and passes on as an empty series.
 * @throws FormatError `empty` when `known` and the series holds no bar.
 */
export function rejectEmptyForKnown(series: DailySeries, known: boolean): DailySeries {
  if (!known || series.count > 0) return series;
  throw new FormatError('empty', 'no bars for a symbol that has stored history', { excerpt: '' });
}
