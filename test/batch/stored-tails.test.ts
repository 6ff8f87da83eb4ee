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

  it('takes the last of each symbol’s bars (oldest first) as its newest stored day; null without bars', () => {
    const tails = tailsOf(recent);
    expect(['2330', '2317', '1101', '9999'].map((symbol) => tails.newestDay(symbol))).toEqual(['2024-01-06', '2023-12-29', null, null]);
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
    expect(tails.newestDay('2330')).toBe('2024-01-06');
    expect(() => tails.add('2317', recent.get('2317')!)).toThrow(RangeError);
  });
});

describe('readStoredTails', () => {
  /** recentBars over `recent`, logging what each statement asked for; `gate` holds a statement back. */
  function reader(asked: string[][], gate: (call: number) => Promise<void> = async () => undefined) {
    return async (symbols: readonly string[], perSymbol: number) => {
      asked.push([...symbols]);
      await gate(asked.length);
      return new Map([...recent].filter(([symbol]) => symbols.includes(symbol)).map(([symbol, bars]) => [symbol, bars.slice(-perSymbol)]));
    };
  }

  it('reads the symbols a chunk at a time, each once, and packs every answer', async () => {
    const asked: string[][] = [];
    const reading = readStoredTails(['2330', '2317', '1101', '2330', '9999'], 3, reader(asked), { first: 2, most: 2 });
    const tails = await reading.done;
    expect(asked).toEqual([['2330', '2317'], ['1101', '9999']]);
    expect(tails.size).toBe(2);
    expect(await reading.newestDay('2317')).toBe('2023-12-29');
    expect(reading.lastBars(['2330'], 1).get('2330')!.map((b) => b.trade_date)).toEqual(['2024-01-06']);
  });

  it('starts with a short statement and makes each next one four times longer, up to the most', async () => {
    const asked: string[][] = [];
    const symbols = Array.from({ length: 30 }, (_, i) => String(1000 + i));
    await readStoredTails(symbols, 3, reader(asked), { first: 1, most: 8 }).done;
    expect(asked.map((chunk) => chunk.length)).toEqual([1, 4, 8, 8, 8, 1]);
    expect(asked.flat()).toEqual(symbols);
  });

  it('answers for a symbol as soon as its own chunk is read, before the later ones', async () => {
    const asked: string[][] = [];
    let open!: () => void;
    const second = new Promise<void>((resolve) => (open = resolve));
    const reading = readStoredTails(['2330', '2317', '1101'], 3, reader(asked, (call) => (call === 2 ? second : Promise.resolve())), { first: 1, most: 2 });
    expect(await reading.newestDay('2330')).toBe('2024-01-06');
    let later: string | null | undefined;
    const waiting = reading.newestDay('2317').then((day) => (later = day));
    await new Promise((resolve) => setImmediate(resolve));
    expect(later).toBeUndefined();
    open();
    await waiting;
    expect(later).toBe('2023-12-29');
    expect(await reading.newestDay('1101')).toBeNull();
  });

  it('stops at a failed read: its symbols and the later ones reject with its error, no further statement is made', async () => {
    const asked: string[][] = [];
    const failing = async (symbols: readonly string[], perSymbol: number) => {
      if (asked.length === 1) {
        asked.push([...symbols]);
        throw new Error('connection lost');
      }
      return reader(asked)(symbols, perSymbol);
    };
    const reading = readStoredTails(['2330', '2317', '1101', '9999'], 3, failing, { first: 1, most: 1 });
    expect(await reading.newestDay('2330')).toBe('2024-01-06');
    await expect(reading.newestDay('2317')).rejects.toThrow('connection lost');
    await expect(reading.newestDay('9999')).rejects.toThrow('connection lost');
    await expect(reading.done).rejects.toThrow('connection lost');
    expect(asked).toEqual([['2330'], ['2317']]);
  });

  it('holds a failure that comes before anyone waits for it, without reporting it unhandled', async () => {
    const reading = readStoredTails(['2330', '2317'], 3, async () => Promise.reject(new Error('refused')), { first: 1, most: 1 });
    // The caller reads the holidays first: the tails' failure is only looked at later.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    await expect(reading.done).rejects.toThrow('refused');
    await expect(reading.newestDay('2317')).rejects.toThrow('refused');
  });
});
