import { describe, expect, it } from 'vitest';
import { barsToWrite } from '../../src/batch/unchanged-bars.js';
import { bar } from './bars.js';

describe('barsToWrite', () => {
  const stored = [bar('2026-11-27', 100), bar('2026-11-30', 101), bar('2026-12-01', 102)];

  it('leaves out the fetched bars identical to a stored one and counts them', () => {
    const fetched = [bar('2026-11-27', 100), bar('2026-11-30', 101), bar('2026-12-01', 102), bar('2026-12-02', 103)];
    expect(barsToWrite(stored, fetched)).toEqual({ bars: [fetched[3]], unchanged: 3 });
  });

  it('writes a stored day whose values or quality differ at all, and a day only the fetch has', () => {
    const fetched = [
      bar('2026-11-26', 99),
      bar('2026-11-27', 100, { volume: 25_001 }),
      bar('2026-11-30', 101.00001),
      bar('2026-12-01', 102, { data_quality: 'weekend' }),
    ];
    expect(barsToWrite(stored, fetched)).toEqual({ bars: fetched, unchanged: 0 });
    expect(barsToWrite(stored, [bar('2026-11-30', 101, { open_price: 0 })]).unchanged).toBe(0);
  });

  it('writes everything when nothing is stored', () => {
    const fetched = [bar('2026-12-02', 103)];
    expect(barsToWrite([], fetched)).toEqual({ bars: fetched, unchanged: 0 });
  });
});
