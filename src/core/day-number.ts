import { CrawlerError } from '../errors.js';

/*
 * Trading days as whole numbers: days since 1970-01-01 (a Thursday). Counting, stepping and
 * storing days as numbers keeps calendars cheap; 'YYYY-MM-DD' is their text everywhere else.
 */

const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 of a 'YYYY-MM-DD' day (years 0100–9999). @throws CrawlerError
 * E_INTERNAL for anything else. Read digit by digit rather than through a RegExp and a Date:
 * a nightly run converts each symbol's stored bars, some thousands of calls before its first
 * requests are answered.
 */
export function dayNumber(day: string): number {
  const year = day.length === 10 && day.charCodeAt(4) === DASH && day.charCodeAt(7) === DASH ? digits(day, 0, 4) : Number.NaN;
  const month = digits(day, 5, 2);
  const date = digits(day, 8, 2);
  if (!(year >= 100 && month >= 1 && month <= 12 && date >= 1 && date <= daysInMonth(year, month))) {
    throw new CrawlerError('E_INTERNAL', `not a calendar day: ${JSON.stringify(day.slice(0, 20))}`);
  }
  // Days from the civil date, counting from 1 March so that leap days end a year (H. Hinnant).
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + date - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DASH = 0x2d;

/** The number written by `count` decimal digits of `text` from `start`; NaN when one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// A run meets a few thousand distinct days; each one's text is made once (about 55 years kept).
const MAX_DAY_TEXTS = 20_000;
const dayTexts = new Map<number, string>();

/** 'YYYY-MM-DD' of a day number. */
export function formatDay(n: number): string {
  let text = dayTexts.get(n);
  if (text === undefined) {
    text = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayTexts.size < MAX_DAY_TEXTS) dayTexts.set(n, text);
  }
  return text;
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(n: number): number {
  return (((n + 3) % 7) + 7) % 7;
}

/** Whether day `n` is Monday to Friday. */
export function isWeekdayNumber(n: number): boolean {
  return weekdayOf(n) < 5;
}
