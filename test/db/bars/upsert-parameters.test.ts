import { describe, expect, it } from 'vitest';
import { CrawlerError } from '../../../src/errors.js';
import { checkBars, dedupeBars } from '../../../src/db/bars/upsert-parameters.js';
import { bar } from '../../support/bars.js';

/** What checkBars threw for `bars`, or undefined. */
function refusal(bars: Parameters<typeof checkBars>[0], symbol?: string): unknown {
  try {
    checkBars(bars, symbol);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('checkBars', () => {
  it('accepts valid bars, of one symbol or of several when no symbol is named', () => {
    expect(refusal([bar('2330', '2024-01-02', 593), bar('2330', '2024-01-03', 578)], '2330')).toBeUndefined();
    expect(refusal([bar('2330', '2024-01-02', 593), bar('2317', '2024-01-02', 104.5)])).toBeUndefined();
    expect(refusal([], '2330')).toBeUndefined();
  });

  it.each([
    ['NaN close', { close_price: Number.NaN }],
    ['infinite open', { open_price: Number.POSITIVE_INFINITY }],
    ['-Infinity low', { low_price: Number.NEGATIVE_INFINITY }],
    ['NaN volume', { volume: Number.NaN }],
    ['a day with a time', { trade_date: '2024-01-02T00:00:00Z' }],
    ['a day not zero-padded', { trade_date: '2024-1-2' }],
  ])('refuses a bar with a %s (E_INTERNAL), which a statement would store as NULL or NaN', (_what, change) => {
    const error = refusal([bar('2330', '2024-01-02', 593), bar('2330', '2024-01-03', 578, change)], '2330');
    expect(error).toBeInstanceOf(CrawlerError);
    expect(error).toMatchObject({ code: 'E_INTERNAL' });
  });

  it('refuses a bar of another symbol than the one named', () => {
    expect(refusal([bar('2330', '2024-01-02', 1), bar('2317', '2024-01-02', 1)], '2330')).toMatchObject({ code: 'E_INTERNAL' });
  });
});

describe('dedupeBars', () => {
  it('returns rising bars of one symbol as they are', () => {
    const bars = [bar('2330', '2024-01-02', 1), bar('2330', '2024-01-03', 2)];
    expect(dedupeBars(bars)).toBe(bars);
  });

  it('keeps each (stock_code, trade_date) once, the last winning, in first-seen order', () => {
    const bars = [
      bar('2330', '2024-01-03', 1),
      bar('2317', '2024-01-03', 2),
      bar('2330', '2024-01-02', 3),
      bar('2330', '2024-01-03', 4),
    ];
    expect(dedupeBars(bars)).toEqual([bar('2330', '2024-01-03', 4), bar('2317', '2024-01-03', 2), bar('2330', '2024-01-02', 3)]);
  });
});
