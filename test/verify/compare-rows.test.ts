import { describe, expect, it } from 'vitest';
import type { StoredRow } from '../../src/db/quality/symbol-rows.js';
import { compareRows } from '../../src/verify/compare-rows.js';

const row = (trade_date: string, close: number, volume = 100): StoredRow => ({
  trade_date,
  open_price: close,
  high_price: close + 1,
  low_price: close - 1,
  close_price: close,
  volume,
});

describe('compareRows', () => {
  it('counts days on both sides, only ours, only theirs and differing values, with examples by day', () => {
    const ours = [row('2026-11-02', 10), row('2026-11-03', 11), row('2026-11-04', 12), row('2026-11-06', 14)];
    const theirs = [row('2026-11-02', 10.005), row('2026-11-03', 11.5), row('2026-11-05', 13), row('2026-11-06', 14, 101)];
    const result = compareRows('2330', ours, theirs, 100);
    expect(result).toMatchObject({ both: 3, onlyOurs: 1, onlyTheirs: 1, differences: 2, duplicatesTheirs: 0 });
    expect(result.examples.map((example) => [example.trade_date, example.kind])).toEqual([
      ['2026-11-03', 'differs'],
      ['2026-11-04', 'only_ours'],
      ['2026-11-05', 'only_theirs'],
      ['2026-11-06', 'differs'],
    ]);
    expect(result.examples[2]).toEqual({ stock_code: '2330', trade_date: '2026-11-05', kind: 'only_theirs', ours: null, theirs: { open_price: 13, high_price: 14, low_price: 12, close_price: 13, volume: 100 } });
  });

  it('compares the last of their duplicated rows and counts the others', () => {
    const result = compareRows('2330', [row('2026-11-02', 10)], [row('2026-11-02', 99), row('2026-11-02', 10)], 100);
    expect(result).toMatchObject({ both: 1, differences: 0, duplicatesTheirs: 1, examples: [] });
  });

  it('lists no more examples than asked', () => {
    const result = compareRows('2330', [row('2026-11-02', 1), row('2026-11-03', 1)], [], 1);
    expect(result.onlyOurs).toBe(2);
    expect(result.examples).toHaveLength(1);
  });
});
