import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DailySeries } from '../../src/core/daily-series.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { isValidBar, validateBars, type ValidationResult } from '../../src/validate/validate-bars.js';
import { readFixture } from '../support/fixtures.js';

/** A columnar series from rows of [yyyymmdd, open, high, low, close, volume], in the given order. */
function seriesOf(rows: number[][]): DailySeries {
  const count = rows.length;
  const values = new Float64Array(count * 6);
  rows.forEach((row, i) => row.forEach((value, col) => (values[col * count + i] = value)));
  return { count, values, sections: 6 };
}

function expectCountsAddUp(result: ValidationResult): void {
  const { counts } = result;
  expect(counts.accepted).toBe(result.accepted.length);
  expect(counts.rejected).toBe(result.rejected.length);
  expect(counts.input).toBe(counts.accepted + counts.rejected + counts.duplicates);
  const byRule = Object.values(counts.byRule).reduce((sum, n) => sum + n, 0);
  expect(byRule).toBe(counts.rejected);
  expect(counts.weekend).toBe(result.accepted.filter((bar) => bar.data_quality === 'weekend').length);
}

describe('validateBars', () => {
  it('accepts every bar of a clean 1,440-bar history', () => {
    const result = validateBars('2330', parseDjbcd(readFixture('gregorian-6-sections.djbcd')), { today: '2025-11-21' });
    expect(result.counts).toEqual({ input: 1440, accepted: 1440, rejected: 0, duplicates: 0, weekend: 0, byRule: {} });
    expect(result.accepted[0]).toEqual({
      stock_code: '2330',
      trade_date: '2020-05-18',
      open_price: 477,
      high_price: 484,
      low_price: 468.5,
      close_price: 471.5,
      volume: 56245,
      data_quality: 'valid',
    });
    expect(result.accepted.at(-1)?.trade_date).toBe('2025-11-21');
    expect(result.accepted.every((bar) => isValidBar(bar, { today: '2025-11-21' }))).toBe(true);
  });

  it('rejects each bad bar with its rule, collapses duplicates and flags weekends', () => {
    const result = validateBars('2330', parseDjbcd(readFixture('zero-and-bad-bars.djbcd')), { today: '2023-03-10' });
    expect(result.accepted.map((bar) => [bar.trade_date, bar.data_quality, bar.volume])).toEqual([
      ['2023-02-22', 'valid', 25000],
      ['2023-02-25', 'weekend', 1500],
      ['2023-02-28', 'valid', 21000], // the later of the two 2023/02/28 rows
      ['2023-03-07', 'valid', 21000],
    ]);
    expect(result.rejected.map((bar) => [bar.rule, bar.trade_date])).toEqual([
      ['no_trade', '2023-02-23'],
      ['no_trade', '2023-02-24'],
      ['high_low_range', '2023-02-27'],
      ['invalid_date', '20230230'],
      ['non_positive_price', '2023-03-01'],
      ['negative_volume', '2023-03-02'],
      ['fractional_volume', '2023-03-03'],
      ['high_low_range', '2023-03-06'],
      ['future_date', '2023-03-13'],
    ]);
    expect(result.rejected[0]?.values).toEqual({ open: 0, high: 0, low: 0, close: 0, volume: 0 });
    expect(result.counts).toEqual({
      input: 14,
      accepted: 4,
      rejected: 9,
      duplicates: 1,
      weekend: 1,
      byRule: {
        no_trade: 2,
        high_low_range: 2,
        invalid_date: 1,
        non_positive_price: 1,
        negative_volume: 1,
        fractional_volume: 1,
        future_date: 1,
      },
    });
    expectCountsAddUp(result);
    expect(result.accepted.every((bar) => isValidBar(bar, { today: '2023-03-10' }))).toBe(true);
  });

  it('rejects rows with missing values, reporting them as null', () => {
    const result = validateBars('2330', parseDjbcd(readFixture('missing-values.djbcd')), { today: '2024-12-31' });
    expect(result.accepted.map((bar) => bar.trade_date)).toEqual(['2024-01-02']);
    expect(result.rejected).toEqual([
      { rule: 'missing_value', trade_date: '2024-01-03', values: { open: null, high: 585, low: 578, close: 578, volume: 37106 }, detail: expect.stringContaining('open') },
      { rule: 'missing_value', trade_date: '2024-01-04', values: { open: 580, high: 581, low: 577, close: null, volume: 15308 }, detail: expect.stringContaining('close') },
      { rule: 'missing_value', trade_date: '2024-01-05', values: { open: 582, high: 585, low: 580, close: 584, volume: null }, detail: expect.stringContaining('volume') },
      { rule: 'missing_value', trade_date: '2024-01-08', values: { open: 585, high: null, low: 583, close: 586, volume: 24410 }, detail: expect.stringContaining('high') },
    ]);
    const missingDate = validateBars('2330', seriesOf([[NaN, 1, 1, 1, 1, 1]]), { today: '2024-12-31' });
    expect(missingDate.rejected[0]).toMatchObject({ rule: 'missing_value', trade_date: '' });
  });

  it('keeps adjusted prices to 4 decimals and drops float noise', () => {
    const result = validateBars('2330', parseDjbcd(readFixture('adjusted-4-decimals.djbcd')), { today: '2024-12-31' });
    expect(result.accepted.map((bar) => [bar.open_price, bar.high_price, bar.low_price, bar.close_price])).toEqual([
      [251.3456, 253.1234, 250.0021, 252.5],
      [252.0008, 254.2, 251.1118, 253.7771],
      [253.1, 253.9999, 250.4567, 251.0001],
      [0.1234, 0.1299, 0.1201, 0.1288],
    ]);
    const noisy = validateBars('2330', seriesOf([[20240102, 0.1 + 0.2, 100.00004999, 0.29999999999, 100.00000001, 10]]), {
      today: '2024-12-31',
    });
    expect(noisy.accepted[0]).toMatchObject({ open_price: 0.3, high_price: 100, low_price: 0.3, close_price: 100 });
  });

  it('checks the calendar and today, inclusively', () => {
    const result = validateBars(
      '2330',
      seriesOf([
        [20240229, 1, 1, 1, 1, 1],
        [20230229, 1, 1, 1, 1, 1],
        [20231301, 1, 1, 1, 1, 1],
        [20230400, 1, 1, 1, 1, 1],
        [20230431, 1, 1, 1, 1, 1],
        [18991231, 1, 1, 1, 1, 1],
        [20240301, 1, 1, 1, 1, 1],
        [20240304, 1, 1, 1, 1, 1],
      ]),
      { today: '2024-03-01' },
    );
    expect(result.accepted.map((bar) => bar.trade_date)).toEqual(['2024-02-29', '2024-03-01']);
    expect(result.rejected.map((bar) => [bar.rule, bar.trade_date])).toEqual([
      ['invalid_date', '20230229'],
      ['invalid_date', '20231301'],
      ['invalid_date', '20230400'],
      ['invalid_date', '20230431'],
      ['invalid_date', '18991231'],
      ['future_date', '2024-03-04'],
    ]);
  });

  it('orders the rules: missing, date, future, no trade, price, price range, high-low range, volume', () => {
    const rule = (row: number[]) => validateBars('X', seriesOf([row]), { today: '2024-12-31' }).rejected[0]?.rule;
    expect(rule([20240230, NaN, 0, 0, 0, -1])).toBe('missing_value');
    expect(rule([20240230, 0, 0, 0, 0, -1])).toBe('invalid_date');
    expect(rule([20250102, 0, 0, 0, 0, -1])).toBe('future_date');
    expect(rule([20240102, -5, 3, 1, 0, -1])).toBe('no_trade');
    expect(rule([20240102, 0, 3, 1, 2, 10])).toBe('non_positive_price');
    expect(rule([20240102, 2, 3, 1, -2, 10])).toBe('non_positive_price');
    expect(rule([20240102, 2, 1e8, 1, 2, -1])).toBe('price_out_of_range');
    expect(rule([20240102, 432769770541.67847, 432769770541.67847, 432769770541.67847, 432769770541.67847, 1])).toBe('price_out_of_range');
    expect(rule([20240102, 99_999_999.9999, 99_999_999.9999, 99_999_999.9999, 99_999_999.9999, 1])).toBeUndefined();
    expect(rule([20240102, 2, 3, 1, 4, 10])).toBe('high_low_range');
    expect(rule([20240102, 2, 3, 4, 3, 10])).toBe('high_low_range');
    expect(rule([20240102, 2, 3, 1, 2, -1])).toBe('negative_volume');
    expect(rule([20240102, 2, 3, 1, 2, 0.5])).toBe('fractional_volume');
    expect(rule([20240102, 2, 3, 1, 2, Infinity])).toBe('missing_value');
    expect(rule([20240102, 2, 3, 1, 2, 0])).toBeUndefined(); // volume 0 with prices is a bar
  });

  it('keeps the last valid row of a date; an invalid twin is rejected, not a duplicate', () => {
    const result = validateBars(
      '2330',
      seriesOf([
        [20240102, 10, 11, 9, 10, 100],
        [20240102, 10, 11, 9, 0, 100],
        [20240103, 10, 11, 9, 10, 1],
        [20240103, 10, 11, 9, 10, 2],
        [20240103, 10, 11, 9, 10, 3],
      ]),
      { today: '2024-12-31' },
    );
    expect(result.accepted.map((bar) => [bar.trade_date, bar.volume])).toEqual([
      ['2024-01-02', 100],
      ['2024-01-03', 3],
    ]);
    expect(result.counts).toMatchObject({ duplicates: 2, rejected: 1, byRule: { no_trade: 1 } });
    expectCountsAddUp(result);
  });

  it('refuses a malformed today', () => {
    expect(() => validateBars('2330', seriesOf([]), { today: '2024/01/02' })).toThrow(RangeError);
    expect(() => validateBars('2330', seriesOf([]), { today: '2024-02-30' })).toThrow(RangeError);
  });

  it('only ever accepts bars that satisfy the invariants (random rows)', () => {
    let state = 7;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T>(choices: T[]): T => choices[Math.floor(random() * choices.length)]!;
    const price = (): number => pick([NaN, 0, -1, 0.00001, 1, 99.5, 100, 100.12345, 101, 1e6, 1e8, 4.3e11 + 0.67847, random() * 1000]);
    const rows = Array.from({ length: 5000 }, () => [
      pick([NaN, 20240101, 20240102, 20240106, 20240230, 20241301, 20240315, 20991231, 19000101, 20240102.5]),
      price(),
      price(),
      price(),
      price(),
      pick([NaN, -1, 0, 0.5, 1, 12345, 2 ** 60, random() * 100]),
    ]);
    rows.sort((a, b) => (a[0]! || 0) - (b[0]! || 0));
    const result = validateBars('9999', seriesOf(rows), { today: '2024-12-31' });
    expect(result.accepted.length).toBeGreaterThan(0);
    for (const bar of result.accepted) {
      if (!isValidBar(bar, { today: '2024-12-31' })) expect.fail(`invalid bar accepted: ${JSON.stringify(bar)}`);
    }
    expect(new Set(result.accepted.map((bar) => bar.trade_date)).size).toBe(result.accepted.length);
    expectCountsAddUp(result);
  });
});

describe('isValidBar', () => {
  const good: DailyBar = {
    stock_code: '2330',
    trade_date: '2024-01-02',
    open_price: 590,
    high_price: 593,
    low_price: 589,
    close_price: 593,
    volume: 26059,
    data_quality: 'valid',
  };

  it('accepts a good bar and rejects each broken invariant', () => {
    expect(isValidBar(good)).toBe(true);
    expect(isValidBar({ ...good, trade_date: '2024-01-06', data_quality: 'weekend' })).toBe(true);
    const broken: Partial<DailyBar>[] = [
      { stock_code: '' },
      { trade_date: '2024-02-30' },
      { trade_date: '20240102' },
      { open_price: 0 },
      { open_price: NaN },
      { low_price: 594 },
      { high_price: 592 },
      { close_price: 588 },
      { close_price: 590.00001 },
      { high_price: 1e8 },
      { volume: -1 },
      { volume: 1.5 },
      { data_quality: 'weekend' },
      { trade_date: '2024-01-06' },
    ];
    for (const change of broken) expect(isValidBar({ ...good, ...change }), JSON.stringify(change)).toBe(false);
    expect(isValidBar(good, { today: '2024-01-01' })).toBe(false);
    expect(isValidBar(good, { today: '2024-01-02' })).toBe(true);
  });
});

describe('validateBars calendar arithmetic', () => {
  it('agrees with Date on which yyyymmdd are real days and which are weekends, 1900–2199', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2199 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const date = year * 10_000 + month * 100 + day;
        const values = new Float64Array([date, 10, 11, 9, 10, 100]);
        const result = validateBars('2330', { count: 1, values, sections: 6 }, { today: '2200-01-01' });
        const asDate = new Date(Date.UTC(year, month - 1, day));
        const real = asDate.getUTCMonth() === month - 1 && asDate.getUTCDate() === day;
        expect(result.accepted.length === 1).toBe(real);
        if (real) expect(result.accepted[0]?.data_quality).toBe([0, 6].includes(asDate.getUTCDay()) ? 'weekend' : 'valid');
      }),
      { numRuns: 5_000, seed: 20261126 },
    );
  });
});
