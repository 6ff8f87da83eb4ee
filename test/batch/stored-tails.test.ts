import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { readStoredTails, StoredTails } from '../../src/batch/stored-tails.js';
import { bar } from './bars.js';

const recent = new Map<string, DailyBar[]>([
  ['2330', [bar('2024-01-02', 580), bar('2024-01-03', 585), { ...bar('2024-01-06', 590), data_quality: 'weekend' }]],
  ['2317', [bar('2023-12-29', 100, { stock_code: '2317' })]],
  ['1101', []],
]);

function tailsOf(map: ReadonlyMap<string, readonly DailyBar[]>, perSymbol = 3): StoredTails {
  const tails = new StoredTails(map.size, perSymbol);
  for (const [symbol, bars] of map) tails.add(symbol, bars);
  return tails;
}

describe('StoredTails', () => {
  it('gives back exactly the bars it was given, values, day and quality included', () => {
    const tails = tailsOf(recent);
    expect(tails.lastBars(['2330', '2317'], 3)).toEqual(new Map([['2330', recent.get('2330')], ['2317', recent.get('2317')]]));
  });

  it('keeps prices as stored, a missing value as NaN, and large volumes exactly', () => {
    const odd = { ...bar('2024-02-29', 40.1234), high_price: Number.NaN, volume: 9_007_199_254_740_991 };
    const [back] = tailsOf(new Map([['2330', [odd]]])).lastBars(['2330'], 1).get('2330')!;
    expect(back).toEqual(odd);
  });

  it('takes the last of each symbol’s bars (oldest first) as its newest stored day; symbols without bars are absent', () => {
    expect(tailsOf(recent).newestDays()).toEqual(
      new Map([
        ['2330', '2024-01-06'],
        ['2317', '2023-12-29'],
      ]),
    );
  });

  it('keeps the newest `perSymbol` bars of the symbols asked for, in order', () => {
    const picked = tailsOf(recent).lastBars(['2330', '2317', '9999', '1101'], 2);
    expect([...picked.keys()]).toEqual(['2330', '2317']);
    expect(picked.get('2330')!.map((b) => b.trade_date)).toEqual(['2024-01-03', '2024-01-06']);
    expect(picked.get('2317')!.map((b) => b.trade_date)).toEqual(['2023-12-29']);
  });

  it('holds at most its own perSymbol per symbol, the newest ones', () => {
    const tails = tailsOf(recent, 1);
    expect(tails.lastBars(['2330'], 3).get('2330')!.map((b) => b.trade_date)).toEqual(['2024-01-06']);
  });

  it('gives nothing for zero bars per symbol, and hands out new objects each time', () => {
    const tails = tailsOf(recent);
    expect(tails.lastBars(['2330'], 0)).toEqual(new Map());
    const first = tails.lastBars(['2330'], 1).get('2330')![0]!;
    first.close_price = 1;
    expect(tails.lastBars(['2330'], 1).get('2330')![0]!.close_price).toBe(590);
  });

  it('refuses more symbols than it has room for, and ignores a symbol given twice', () => {
    const tails = new StoredTails(1, 3);
    tails.add('2330', recent.get('2330')!);
    tails.add('2330', recent.get('2317')!);
    expect(tails.newestDays()).toEqual(new Map([['2330', '2024-01-06']]));
    expect(() => tails.add('2317', recent.get('2317')!)).toThrow(RangeError);
  });
});

describe('readStoredTails', () => {
  it('reads the symbols a chunk at a time, each once, and packs every answer', async () => {
    const asked: string[][] = [];
    const tails = await readStoredTails(
      ['2330', '2317', '1101', '2330', '9999'],
      3,
      async (symbols, perSymbol) => {
        asked.push([...symbols]);
        return new Map([...recent].filter(([symbol]) => symbols.includes(symbol)).map(([symbol, bars]) => [symbol, bars.slice(-perSymbol)]));
      },
      2,
    );
    expect(asked).toEqual([['2330', '2317'], ['1101', '9999']]);
    expect(tails.newestDays()).toEqual(new Map([['2330', '2024-01-06'], ['2317', '2023-12-29']]));
  });
});
