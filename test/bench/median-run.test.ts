import { describe, expect, it } from 'vitest';
import { median, medianRun, quantile } from './median-run.js';

describe('medianRun', () => {
  it('reports one real run, the one with the median wall time, never a mix of fields', () => {
    const runs = [
      { wall_s: 12, peak_rss_mb: 150 },
      { wall_s: 10, peak_rss_mb: 190 },
      { wall_s: 11, peak_rss_mb: 140 },
    ];
    const chosen = medianRun(runs, (run) => run.wall_s);
    expect(chosen.index).toBe(2);
    expect(chosen.run).toBe(runs[2]);
    // Per-field medians would have said 150 MB: a figure no run had together with 11 s.
    expect(chosen.run.peak_rss_mb).toBe(140);
  });

  it('takes the faster of the two middle runs of an even count, and the first of equal walls', () => {
    expect(medianRun([{ w: 4 }, { w: 1 }, { w: 3 }, { w: 2 }], (r) => r.w).index).toBe(3);
    expect(medianRun([{ w: 5 }, { w: 5 }, { w: 5 }], (r) => r.w).index).toBe(1);
    expect(medianRun([{ w: 7 }], (r) => r.w).index).toBe(0);
  });

  it('refuses an empty list', () => {
    expect(() => medianRun([], () => 0)).toThrow(RangeError);
  });
});

describe('median and quantile', () => {
  it('are the usual ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0.95)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
