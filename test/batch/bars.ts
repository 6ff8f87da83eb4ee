import type { DailyBar } from '../../src/core/daily-bar.js';

/** A valid 2330 bar around `close`, for the overlap tests. */
export function bar(trade_date: string, close: number, overrides: Partial<DailyBar> = {}): DailyBar {
  return {
    stock_code: '2330',
    trade_date,
    open_price: close - 1,
    high_price: close + 2,
    low_price: close - 2,
    close_price: close,
    volume: 25_000,
    data_quality: 'valid',
    ...overrides,
  };
}
