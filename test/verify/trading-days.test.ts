import { describe, expect, it } from 'vitest';
import { countBetween, isTradingDay, tradingDaysBetween, weekdaysFromTo } from '../../src/verify/trading-days.js';

const none = { holidays: new Set<string>() };

describe('trading days', () => {
  it('are the weekdays, both ends included, without the holidays', () => {
    // Fri 2 Jan 2026 … Tue 6 Jan 2026; the 5th a holiday.
    expect(tradingDaysBetween('2026-01-02', '2026-01-06', none)).toEqual(['2026-01-02', '2026-01-05', '2026-01-06']);
    expect(tradingDaysBetween('2026-01-02', '2026-01-06', { holidays: new Set(['2026-01-05']) })).toEqual(['2026-01-02', '2026-01-06']);
    expect(tradingDaysBetween('2026-01-06', '2026-01-02', none)).toEqual([]);
  });

  it('tell a weekend or a holiday from a session', () => {
    expect(isTradingDay('2026-01-03', none)).toBe(false);
    expect(isTradingDay('2026-01-05', { holidays: new Set(['2026-01-05']) })).toBe(false);
    expect(isTradingDay('2026-01-05', none)).toBe(true);
  });

  it('count weekdays and the days of a sorted list inside a span', () => {
    expect(weekdaysFromTo('2026-01-02', '2026-01-12')).toBe(7);
    const days = ['2026-01-02', '2026-01-05', '2026-01-06', '2026-01-09'];
    expect(countBetween(days, '2026-01-03', '2026-01-06')).toBe(2);
    expect(countBetween(days, '2026-01-01', '2026-01-31')).toBe(4);
    expect(countBetween(days, '2026-01-07', '2026-01-08')).toBe(0);
    expect(countBetween(days, '2026-01-09', '2026-01-02')).toBe(0);
  });
});
