/** The reported run of a scenario: one real run, chosen by its wall time. */
export interface MedianRun<T> {
  /** Index of the chosen run among `runs` (in the order they ran). */
  index: number;
  run: T;
}

/**
 * The run whose wall time is the median (with an even count, the faster of the two
 * middle ones): a whole run as it happened, never per-field medians mixing runs.
 */
export function medianRun<T>(runs: readonly T[], wallOf: (run: T) => number): MedianRun<T> {
  if (runs.length === 0) throw new RangeError('medianRun: no runs');
  const order = runs.map((run, index) => ({ index, wall: wallOf(run) })).sort((a, b) => a.wall - b.wall || a.index - b.index);
  const chosen = order[(runs.length - 1) >> 1] as { index: number };
  return { index: chosen.index, run: runs[chosen.index] as T };
}

/** Plain median of numbers (for samples of one quantity, e.g. start-up times). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Value at quantile `q` (0–1) of the samples, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
