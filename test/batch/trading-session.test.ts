import { describe, expect, it } from 'vitest';
import { isWeekday, lastClosedSession, parseReadyAt, previousWeekday, weekdaysBetween } from '../../src/batch/trading-session.js';
import { CrawlerError, UsageError } from '../../src/errors.js';
import { seeded } from '../support/seeded-random.js';

/** An instant given as Asia/Taipei wall-clock time (UTC+8, no DST). */
const taipei = (day: string, time: string): number => Date.parse(`${day}T${time}:00+08:00`);
const TAIPEI = { timeZone: 'Asia/Taipei' };

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
    expect(lastClosedSession(now, { timeZone: 'America/New_York' })).toBe('2026-01-02');
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
