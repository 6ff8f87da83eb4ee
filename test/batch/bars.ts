import type { DailyBar } from '../../src/core/daily-bar.js';
import { bar as symbolBar } from '../support/bars.js';

/** A valid 2330 bar around `close` with 25,000 lots, for the overlap tests (the shared builder, one symbol). */
export function bar(trade_date: string, close: number, overrides: Partial<DailyBar> = {}): DailyBar {
  return symbolBar('2330', trade_date, close, { volume: 25_000, ...overrides });
}
