/**
 * Largest price difference taken as equal when sources are compared: 0.01, as the plan's
 * compatibility test has it (the old service stored floats; a mirror may round to the
 * cent). A little float slack on top, so that 100.01 − 100 (0.010000000000005) passes.
 */
export const PRICE_TOLERANCE = 0.01;
const FLOAT_SLACK = 1e-9;

/** The compared part of a bar; null where a database row holds NULL. */
export interface BarValues {
  open_price: number | null;
  high_price: number | null;
  low_price: number | null;
  close_price: number | null;
  /** Lots (張). */
  volume: number | null;
}

const PRICES = ['open_price', 'high_price', 'low_price', 'close_price'] as const;

/** The OHLCV values of a bar or row, nothing else (NaN, as a NULL reads from the repository, becomes null). */
export function valuesOf(bar: BarValues): BarValues {
  const clean = (value: number | null): number | null => (value === null || Number.isNaN(value) ? null : value);
  return {
    open_price: clean(bar.open_price),
    high_price: clean(bar.high_price),
    low_price: clean(bar.low_price),
    close_price: clean(bar.close_price),
    volume: clean(bar.volume),
  };
}

/**
 * Whether two bars carry the same values: each price within {@link PRICE_TOLERANCE}, the
 * volume exactly. A missing value (null or NaN) equals only a missing value.
 */
export function sameValues(a: BarValues, b: BarValues): boolean {
  for (const field of PRICES) {
    if (!samePrice(a[field], b[field])) return false;
  }
  return sameMissing(a.volume, b.volume) ?? a.volume === b.volume;
}

function samePrice(a: number | null, b: number | null): boolean {
  return sameMissing(a, b) ?? Math.abs(a! - b!) <= PRICE_TOLERANCE + FLOAT_SLACK;
}

/** true/false when either side is missing; undefined when both are numbers. */
function sameMissing(a: number | null, b: number | null): boolean | undefined {
  const aMissing = a === null || Number.isNaN(a);
  const bMissing = b === null || Number.isNaN(b);
  if (aMissing || bMissing) return aMissing && bMissing;
  return undefined;
}
