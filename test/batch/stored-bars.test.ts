import { describe, expect, it } from 'vitest';
import { lastBars, newestDays } from '../../src/batch/stored-bars.js';
import { bar } from './bars.js';

const recent = new Map([
  ['2330', [bar('2024-01-02', 580), bar('2024-01-03', 585), bar('2024-01-04', 590)]],
  ['2317', [bar('2023-12-29', 100, { stock_code: '2317' })]],
  ['1101', []],
]);

describe('newestDays', () => {
  it('takes the last of each symbol’s bars (oldest first) as its newest stored day', () => {
    expect(newestDays(recent)).toEqual(
      new Map([
        ['2330', '2024-01-04'],
        ['2317', '2023-12-29'],
      ]),
    );
  });
});

describe('lastBars', () => {
  it('keeps the newest `perSymbol` bars of the symbols asked for, in order', () => {
    const picked = lastBars(recent, ['2330', '2317', '9999', '1101'], 2);
    expect([...picked.keys()]).toEqual(['2330', '2317']);
    expect(picked.get('2330')!.map((b) => b.trade_date)).toEqual(['2024-01-03', '2024-01-04']);
    expect(picked.get('2317')!.map((b) => b.trade_date)).toEqual(['2023-12-29']);
  });

  it('gives nothing for zero bars per symbol (slice(-0) would give them all)', () => {
    expect(lastBars(recent, ['2330'], 0)).toEqual(new Map());
  });

  it('leaves the bars it was given as they were', () => {
    lastBars(recent, ['2330'], 1);
    expect(recent.get('2330')).toHaveLength(3);
  });
});
