import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay, isWeekdayNumber, weekdayOf } from '../../src/core/day-number.js';

const DAY_MS = 86_400_000;
/** The reference: what Date makes of the same text, and back. */
const byDate = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

describe('day numbers', () => {
  it('counts days from 1970-01-01 exactly as Date does, from 1900 to 2100', () => {
    for (let n = dayNumber('1900-01-01'); n <= dayNumber('2100-12-31'); n++) {
      const text = byDate(n);
      if (dayNumber(text) !== n || formatDay(n) !== text) expect.fail(`${n}: ${text} → ${dayNumber(text)}, ${formatDay(n)}`);
    }
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / DAY_MS);
    expect(dayNumber('0100-03-01')).toBe(Date.UTC(100, 2, 1) / DAY_MS);
    expect(dayNumber('9999-12-31')).toBe(Date.UTC(9999, 11, 31) / DAY_MS);
  });

  it('refuses what is not a calendar day', () => {
    for (const text of ['2023-02-29', '2100-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-01-32',
      '0099-12-31', '0000-01-01', '2024-1-01', '2024/01/01', '20240101', '2024-01-01 ', ' 2024-01-01', '2024-0a-01', '-024-01-01', '']) {
      expect(() => dayNumber(text), text).toThrow(/not a calendar day/);
    }
  });

  it('formats a day number again and again as the same text', () => {
    const n = dayNumber('2026-12-04');
    expect(formatDay(n)).toBe('2026-12-04');
    expect(formatDay(n)).toBe('2026-12-04');
    expect(formatDay(n + 1)).toBe('2026-12-05');
  });

  it('knows weekdays', () => {
    expect(weekdayOf(dayNumber('2026-12-04'))).toBe(4); // a Friday
    expect(isWeekdayNumber(dayNumber('2026-12-05'))).toBe(false);
  });
});
