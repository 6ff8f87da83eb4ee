import { describe, expect, it } from 'vitest';
import {
  holidayCalendar,
  isTradingDay,
  isWeekday,
  lastClosedSession,
  parseReadyAt,
  previousTradingDay,
  previousWeekday,
  tradingDaysBetween,
  weekdaysBetween,
} from '../../src/batch/trading-session.js';
import { CrawlerError, UsageError } from '../../src/errors.js';
import { seeded } from '../support/seeded-random.js';

/** An instant given as Asia/Taipei wall-clock time (UTC+8, no DST). */
const taipei = (day: string, time: string): number => Date.parse(`${day}T${time}:00+08:00`);
const TAIPEI = { timeZone: 'Asia/Taipei', readyAt: '17:00' };

// 2026-01-02 is a Friday, 01-03/04 the weekend, 01-05 a Monday.
describe('lastClosedSession', () => {
  it.each<[string, number, string]>([
    ['Monday 16:59 → Friday', taipei('2026-01-05', '16:59'), '2026-01-02'],
    ['Monday 17:00 → Monday', taipei('2026-01-05', '17:00'), '2026-01-05'],
    ['Monday 23:59 → Monday', taipei('2026-01-05', '23:59'), '2026-01-05'],
    ['Monday 00:00 → Friday', taipei('2026-01-05', '00:00'), '2026-01-02'],
    ['Tuesday 00:00 Taipei (16:00 UTC Monday) → Monday', Date.UTC(2026, 0, 5, 16, 0), '2026-01-05'],
    ['Tuesday 00:00 UTC (08:00 Taipei) → Monday', Date.UTC(2026, 0, 6, 0, 0), '2026-01-05'],
    ['Monday 09:30 UTC (17:30 Taipei) → Monday', Date.UTC(2026, 0, 5, 9, 30), '2026-01-05'],
    ['Monday 08:59 UTC (16:59 Taipei) → Friday', Date.UTC(2026, 0, 5, 8, 59), '2026-01-02'],
    ['Friday 18:00 → Friday', taipei('2026-01-02', '18:00'), '2026-01-02'],
    ['Friday 20:00 UTC (Saturday 04:00 Taipei) → Friday', Date.UTC(2026, 0, 2, 20, 0), '2026-01-02'],
    ['Saturday noon → Friday', taipei('2026-01-03', '12:00'), '2026-01-02'],
    ['Saturday 17:30 → Friday', taipei('2026-01-03', '17:30'), '2026-01-02'],
    ['Sunday 20:00 → Friday', taipei('2026-01-04', '20:00'), '2026-01-02'],
    ['Wednesday 10:00 → Tuesday', taipei('2026-01-07', '10:00'), '2026-01-06'],
    ['across a year end: Thursday 2026-01-01 10:00 → Wednesday 2025-12-31', taipei('2026-01-01', '10:00'), '2025-12-31'],
    ['across a month end: Monday 2026-03-02 09:00 → Friday 2026-02-27', taipei('2026-03-02', '09:00'), '2026-02-27'],
  ])('%s', (_name, nowMs, expected) => {
    expect(lastClosedSession(nowMs, TAIPEI)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['13:30', '14:00', '2026-01-05'],
    ['13:30', '13:29', '2026-01-02'],
    ['00:00', '00:00', '2026-01-05'],
    ['23:59', '23:58', '2026-01-02'],
  ])('readyAt %s at Monday %s → %s', (readyAt, time, expected) => {
    expect(lastClosedSession(taipei('2026-01-05', time), { ...TAIPEI, readyAt })).toBe(expected);
  });

  it('reads the clock in the given zone', () => {
    // 2026-01-05 17:30 in Taipei is 04:30 in New York, still before 17:00 there.
    const now = taipei('2026-01-05', '17:30');
    expect(lastClosedSession(now, TAIPEI)).toBe('2026-01-05');
    expect(lastClosedSession(now, { timeZone: 'America/New_York', readyAt: '17:00' })).toBe('2026-01-02');
  });

  it.each(['17', '24:00', '7:00', '17:60', '', '17:00:00', ' 17:00'])('refuses readyAt %j', (readyAt) => {
    expect(() => lastClosedSession(0, { ...TAIPEI, readyAt })).toThrow(UsageError);
  });

  it('parses readyAt into minutes', () => {
    expect(parseReadyAt('17:00')).toBe(1020);
    expect(parseReadyAt('00:05')).toBe(5);
  });
});

describe('weekdaysBetween', () => {
  it.each<[string, string, number]>([
    ['2026-01-02', '2026-01-05', 1], // Fri → Mon
    ['2026-01-02', '2026-01-02', 0],
    ['2026-01-05', '2026-01-09', 4],
    ['2026-01-01', '2026-01-05', 2], // Thu → Fri, Mon
    ['2026-01-03', '2026-01-04', 0], // Sat → Sun
    ['2026-01-03', '2026-01-05', 1],
    ['2026-01-02', '2026-01-09', 5],
    ['2026-01-02', '2026-01-10', 5], // up to a Saturday
    ['2026-01-09', '2026-01-02', 0], // reversed
    ['2024-02-28', '2024-03-01', 2], // leap day counts
    ['1969-12-31', '1970-01-02', 2], // across the epoch
  ])('(%s, %s] → %i', (after, upTo, expected) => {
    expect(weekdaysBetween(after, upTo)).toBe(expected);
  });

  it('agrees with counting day by day, decades apart and before 1970', () => {
    const random = seeded(7);
    const DAY = 86_400_000;
    const day = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
    for (let i = 0; i < 300; i += 1) {
      const start = Math.floor(random() * 30_000) - 5_000;
      const length = Math.floor(random() * (i < 100 ? 20 : 4_000));
      let brute = 0;
      for (let n = start + 1; n <= start + length; n += 1) {
        const weekday = new Date(n * DAY).getUTCDay();
        if (weekday !== 0 && weekday !== 6) brute += 1;
      }
      expect(weekdaysBetween(day(start), day(start + length))).toBe(brute);
    }
  });

  it.each(['2026-02-30', '2026-1-05', 'yesterday', ''])('refuses %j as a bug, not a usage error', (bad) => {
    let caught: unknown;
    try {
      weekdaysBetween(bad, '2026-01-05');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CrawlerError);
    expect((caught as CrawlerError).code).toBe('E_INTERNAL');
  });
});

describe('previousWeekday / isWeekday', () => {
  it.each<[string, string]>([
    ['2026-01-05', '2026-01-02'], // Mon → Fri
    ['2026-01-04', '2026-01-02'], // Sun → Fri
    ['2026-01-03', '2026-01-02'], // Sat → Fri
    ['2026-01-07', '2026-01-06'],
    ['2026-01-01', '2025-12-31'],
  ])('%s → %s', (day, expected) => {
    expect(previousWeekday(day)).toBe(expected);
  });

  it('knows the weekend', () => {
    expect(['2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'].map(isWeekday)).toEqual([true, false, false, true]);
  });
});

// The 2026 schedule of fixtures/market/holiday-schedule-2026.json, as the sync stores it.
const HOLIDAYS_2026 = holidayCalendar([
  '2026-01-01', '2026-02-12', '2026-02-13', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
  '2026-02-27', '2026-04-03', '2026-04-06', '2026-05-01', '2026-06-19', '2026-09-25', '2026-09-28', '2026-10-09',
  '2026-10-26', '2026-12-25',
]);

describe('the trading calendar: weekdays minus stored holidays', () => {
  it.each<[string, number, string]>([
    ['a holiday evening (Friday 2026-02-27 18:00) → the Thursday before', taipei('2026-02-27', '18:00'), '2026-02-26'],
    ['the weekend after it → still that Thursday', taipei('2026-02-28', '20:00'), '2026-02-26'],
    ['New Year evening (Thursday 2026-01-01) → Wednesday 2025-12-31', taipei('2026-01-01', '20:00'), '2025-12-31'],
    ['the first session after it, before readyAt → 2025-12-31', taipei('2026-01-02', '10:00'), '2025-12-31'],
    ['the first session after it, after readyAt → itself', taipei('2026-01-02', '17:00'), '2026-01-02'],
    ['through the Lunar New Year closure → its last session', taipei('2026-02-20', '20:00'), '2026-02-11'],
    ['the first session after the closure, before readyAt → its last session', taipei('2026-02-23', '09:00'), '2026-02-11'],
    ['an ordinary Monday evening → itself', taipei('2026-03-02', '17:30'), '2026-03-02'],
    ['a Monday holiday morning → the Friday before', taipei('2026-04-06', '08:00'), '2026-04-02'],
  ])('%s', (_name, nowMs, expected) => {
    expect(lastClosedSession(nowMs, { ...TAIPEI, holidays: HOLIDAYS_2026 })).toBe(expected);
  });

  it('without holidays, a holiday is a session as before', () => {
    expect(lastClosedSession(taipei('2026-02-27', '18:00'), TAIPEI)).toBe('2026-02-27');
    expect(lastClosedSession(taipei('2026-02-27', '18:00'), { ...TAIPEI, holidays: holidayCalendar([]) })).toBe('2026-02-27');
  });

  it('knows trading days', () => {
    const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-02-11', '2026-02-12', '2026-02-23', '2026-12-31'];
    expect(days.map((day) => isTradingDay(day, HOLIDAYS_2026))).toEqual([false, true, false, true, false, true, true]);
    expect(days.map((day) => isTradingDay(day))).toEqual([true, true, false, true, true, true, true]);
  });

  it.each<[string, string]>([
    ['2026-01-02', '2025-12-31'],
    ['2026-02-23', '2026-02-11'],
    ['2026-02-22', '2026-02-11'],
    ['2026-03-02', '2026-02-26'],
    ['2026-04-07', '2026-04-02'],
    ['2026-12-28', '2026-12-24'],
  ])('previousTradingDay(%s) → %s', (day, expected) => {
    expect(previousTradingDay(day, HOLIDAYS_2026)).toBe(expected);
  });

  it.each<[string, string, number]>([
    ['2026-02-11', '2026-02-23', 1], // the closure: one session
    ['2026-02-10', '2026-02-23', 2],
    ['2025-12-31', '2026-01-02', 1], // New Year's Day is not one
    ['2026-02-26', '2026-03-02', 1], // Friday the 27th is a holiday
    ['2026-02-27', '2026-03-02', 1], // starting on a holiday
    ['2025-12-31', '2026-12-31', 261 - 18], // the year's weekdays minus its weekday holidays
    ['2026-02-12', '2026-02-20', 0],
    ['2026-02-23', '2026-02-11', 0], // reversed
  ])('tradingDaysBetween(%s, %s] → %i', (after, upTo, expected) => {
    expect(tradingDaysBetween(after, upTo, HOLIDAYS_2026)).toBe(expected);
  });

  it('agrees with counting day by day, holidays on weekends and weekdays alike', () => {
    const random = seeded(11);
    const DAY = 86_400_000;
    const day = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
    const holidayNumbers = new Set<number>();
    for (let i = 0; i < 400; i += 1) holidayNumbers.add(20_000 + Math.floor(random() * 2_000));
    const calendar = holidayCalendar([...holidayNumbers].map(day));
    for (let i = 0; i < 300; i += 1) {
      const start = 19_900 + Math.floor(random() * 2_200);
      const length = Math.floor(random() * (i < 100 ? 30 : 1_500));
      let brute = 0;
      for (let n = start + 1; n <= start + length; n += 1) {
        const weekday = new Date(n * DAY).getUTCDay();
        if (weekday !== 0 && weekday !== 6 && !holidayNumbers.has(n)) brute += 1;
      }
      expect(tradingDaysBetween(day(start), day(start + length), calendar)).toBe(brute);
    }
  });

  it('keeps weekdaysBetween as the count without holidays', () => {
    expect(weekdaysBetween('2026-02-11', '2026-02-23')).toBe(tradingDaysBetween('2026-02-11', '2026-02-23'));
    expect(weekdaysBetween('2026-02-11', '2026-02-23')).toBe(8);
  });

  it('plans a universe of 2,000 symbols in a few milliseconds', () => {
    // Ten years of holidays, a window from each of 2,000 different days.
    const days: string[] = [];
    for (let n = 16_000; n < 19_650; n += 17) days.push(new Date(n * 86_400_000).toISOString().slice(0, 10));
    const calendar = holidayCalendar(days);
    const started = performance.now();
    let total = 0;
    for (let i = 0; i < 2_000; i += 1) {
      const after = new Date((17_000 + i) * 86_400_000).toISOString().slice(0, 10);
      total += tradingDaysBetween(after, '2026-01-05', calendar);
    }
    expect(total).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('refuses a malformed holiday as a bug', () => {
    expect(() => holidayCalendar(['2026-02-30'])).toThrow(CrawlerError);
  });
});
