import { CrawlerError } from '../errors.js';

/*
 * Trading days as whole numbers: days since 1970-01-01 (a Thursday). Counting, stepping and
 * storing days as numbers keeps calendars cheap; 'YYYY-MM-DD' is their text everywhere else.
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' day. @throws CrawlerError E_INTERNAL for anything else. */
export function dayNumber(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(ms) || formatDay(ms / DAY_MS) !== day) {
    throw new CrawlerError('E_INTERNAL', `not a calendar day: ${JSON.stringify(day.slice(0, 20))}`);
  }
  return ms / DAY_MS;
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(n: number): number {
  return (((n + 3) % 7) + 7) % 7;
}

/** Whether day `n` is Monday to Friday. */
export function isWeekdayNumber(n: number): boolean {
  return weekdayOf(n) < 5;
}
