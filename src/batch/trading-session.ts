import { calendarDateIn } from '../clock.js';
import { CrawlerError, UsageError } from '../errors.js';

/** `HH:MM`, 24-hour clock; the config schema can reuse it to check `readyAt` at start-up. */
export const READY_AT_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** When the mirrors have the day's bars, Asia/Taipei local time (the market closes 13:30). */
export const DEFAULT_READY_AT = '17:00';

const DAY_MS = 86_400_000;

export interface SessionOptions {
  /** IANA zone of the exchange, e.g. Asia/Taipei. */
  timeZone: string;
  /** Local `HH:MM` from which today's data count as ready; default 17:00. */
  readyAt?: string | undefined;
}

/**
 * The latest weekday whose data are ready, `YYYY-MM-DD` in `timeZone`: today when it is a
 * weekday and the local time is at or after `readyAt`, otherwise the weekday before.
 * There is no holiday calendar on purpose: a holiday costs one cheap request that
 * brings no new row, and the next run skips again.
 */
export function lastClosedSession(nowMs: number, options: SessionOptions): string {
  const readyMinutes = parseReadyAt(options.readyAt ?? DEFAULT_READY_AT);
  const today = calendarDateIn(nowMs, options.timeZone);
  const ready = minutesIntoDay(nowMs, options.timeZone) >= readyMinutes;
  if (isWeekday(today) && ready) return today;
  return previousWeekday(today);
}

/** `HH:MM` → minutes after local midnight; anything else is a UsageError. */
export function parseReadyAt(text: string): number {
  const match = READY_AT_PATTERN.exec(text);
  if (match === null) throw new UsageError(`ready-at ${JSON.stringify(text.slice(0, 20))}: expected HH:MM, e.g. 17:00`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Weekdays strictly after `afterDay`, up to and including `upToDay` (both `YYYY-MM-DD`);
 * 0 when `upToDay` is not later. Closed form, so a decade's gap costs nothing.
 */
export function weekdaysBetween(afterDay: string, upToDay: string): number {
  const after = dayNumber(afterDay);
  const upTo = dayNumber(upToDay);
  if (upTo <= after) return 0;
  return weekdaysUpTo(upTo) - weekdaysUpTo(after);
}

/** The weekday before `day` (Friday for a Monday, Saturday or Sunday). */
export function previousWeekday(day: string): string {
  let n = dayNumber(day) - 1;
  while (!isWeekdayNumber(n)) n -= 1;
  return formatDay(n);
}

/** Whether `day` (`YYYY-MM-DD`) falls Monday to Friday. */
export function isWeekday(day: string): boolean {
  return isWeekdayNumber(dayNumber(day));
}

/** Days since 1970-01-01 (a Thursday). */
function dayNumber(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = match === null ? NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(ms) || formatDay(ms / DAY_MS) !== day) {
    throw new CrawlerError('E_INTERNAL', `not a calendar day: ${JSON.stringify(day.slice(0, 20))}`);
  }
  return ms / DAY_MS;
}

function formatDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday; day 0 (1970-01-01) was a Thursday. */
function weekdayOf(n: number): number {
  return (((n + 3) % 7) + 7) % 7;
}

function isWeekdayNumber(n: number): boolean {
  return weekdayOf(n) < 5;
}

/** Weekdays from the Monday 1969-12-29 (day -3) through day n, floored for earlier days. */
function weekdaysUpTo(n: number): number {
  const sinceMonday = n + 3;
  const weeks = Math.floor(sinceMonday / 7);
  const rest = sinceMonday - weeks * 7; // 0 … 6, the weekday of n
  return weeks * 5 + Math.min(rest + 1, 5);
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timeZone`. */
function minutesIntoDay(epochMs: number, timeZone: string): number {
  let formatter = timeFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormatters.set(timeZone, formatter);
  }
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(new Date(epochMs))) {
    if (part.type === 'hour') hour = Number(part.value);
    if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}
