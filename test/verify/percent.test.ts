import { describe, expect, it } from 'vitest';
import { meetsPercent, percent } from '../../src/verify/percent.js';

describe('percent', () => {
  it('rounds to three decimals for people, and is 100 when nothing was compared', () => {
    expect(percent(2, 3)).toBe(66.667);
    expect(percent(0, 0)).toBe(100);
    expect(percent(9995, 10000)).toBe(99.95);
  });

  it('decides the threshold on the exact counts', () => {
    expect(meetsPercent(999, 1000, 99.9)).toBe(true);
    expect(meetsPercent(9989, 10000, 99.9)).toBe(false);
    expect(meetsPercent(99_899_999, 100_000_000, 99.9)).toBe(false);
    expect(meetsPercent(0, 0, 99.9)).toBe(true);
  });
});
