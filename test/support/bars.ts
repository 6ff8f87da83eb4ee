import type { DailyBar } from '../../src/core/daily-bar.js';

/**
 * A valid bar of `stock_code` on `trade_date` ('YYYY-MM-DD') closing at `close`: open
 * close − 1, high close + 2, low close − 2, 1,000 lots, quality 'valid'; `overrides` last.
 */
export function bar(stock_code: string, trade_date: string, close: number, overrides: Partial<DailyBar> = {}): DailyBar {
  return {
    stock_code,
    trade_date,
    open_price: close - 1,
    high_price: close + 2,
    low_price: close - 2,
    close_price: close,
    volume: 1000,
    data_quality: 'valid',
    ...overrides,
  };
}

/**
 * One bar of `symbol` per day of `days`, the close rising by 1 from `firstClose` (default
 * 100); `overrides(i)` adjusts the i-th bar.
 */
export function barSeries(
  symbol: string,
  days: readonly string[],
  firstClose = 100,
  overrides: (i: number) => Partial<DailyBar> = () => ({}),
): DailyBar[] {
  return days.map((day, i) => bar(symbol, day, firstClose + i, overrides(i)));
}

/** `count` weekdays (Monday to Friday) from `first` ('YYYY-MM-DD') on, as 'YYYY-MM-DD'. */
export function weekdays(first: string, count: number): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${first}T00:00:00Z`); days.length < count; at += 86_400_000) {
    const day = new Date(at).getUTCDay();
    if (day !== 0 && day !== 6) days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** `count` four-digit-style symbols counting up from `from` (default 1000): '1000', '1001', … */
export function symbolRange(count: number, from = 1000): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i));
}
