import { describe, expect, it } from 'vitest';
import { sameValues, valuesOf, type BarValues } from '../../src/verify/bar-values.js';

const base: BarValues = { open_price: 100, high_price: 101, low_price: 99, close_price: 100.5, volume: 5000 };

describe('sameValues', () => {
  it('takes prices within 0.01 as equal, float noise included, and nothing more', () => {
    expect(sameValues(base, { ...base, close_price: 100.51 })).toBe(true);
    expect(sameValues({ ...base, open_price: 100.01 }, base)).toBe(true);
    expect(sameValues(base, { ...base, close_price: 100.52 })).toBe(false);
    expect(sameValues(base, { ...base, high_price: 100.989 })).toBe(false);
  });

  it('wants the volume exactly', () => {
    expect(sameValues(base, { ...base, volume: 5001 })).toBe(false);
  });

  it('takes a missing value (null or NaN) as equal only to a missing value', () => {
    expect(sameValues({ ...base, volume: null }, { ...base, volume: null })).toBe(true);
    expect(sameValues({ ...base, volume: Number.NaN }, { ...base, volume: null })).toBe(true);
    expect(sameValues({ ...base, volume: null }, base)).toBe(false);
    expect(sameValues(base, { ...base, close_price: Number.NaN })).toBe(false);
  });

  it('keeps only the OHLCV values, a NaN as null', () => {
    expect(valuesOf({ ...base, volume: Number.NaN, ...{ stock_code: '2330' } } as BarValues)).toEqual({ ...base, volume: null });
  });
});
