import { calendarDateIn, minutesIntoDayIn } from '../clock.js';
import { dayNumber, formatDay, isWeekdayNumber } from '../core/day-number.js';
import { UsageError } from '../errors.js';

/** `HH:MM`, 24-hour clock; the config schema can reuse it to check `readyAt` at start-up. */
export const READY_AT_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The exchange's market holidays, prepared once so that counting trading days stays a
 * binary search however many symbols are planned. Build it with {@link holidayCalendar}.
 */
export interface HolidayCalendar {
  /** Every holiday, `YYYY-MM-DD`. */
  readonly days: ReadonlySet<string>;
  /** Day numbers (days since 1970-01-01) of the holidays that fall Monday to Friday, ascending. */
  readonly weekdayHolidays: readonly number[];
}

/**
 * Builds a {@link HolidayCalendar} from holiday dates (`YYYY-MM-DD`, any order, duplicates
 * and weekend days allowed). A malformed date is a bug (E_INTERNAL): dates come from the database.
 */
export function holidayCalendar(days: Iterable<string>): HolidayCalendar {
  const set = new Set<string>();
  const weekdays = new Set<number>();
  for (const day of days) {
    const n = dayNumber(day);
    set.add(day);
    if (isWeekdayNumber(n)) weekdays.add(n);
  }
  return Object.freeze({
    days: set,
    weekdayHolidays: Object.freeze([...weekdays].sort((a, b) => a - b)),
  });
}

export interface SessionOptions {
  /** IANA zone of the exchange, e.g. Asia/Taipei. */
  timeZone: string;
  /** Local `HH:MM` from which today's data count as ready (the configuration declares the default). */
  readyAt: string;
  /** Stored market holidays; absent, every weekday is a trading day. */
  holidays?: HolidayCalendar | undefined;
}

/**
 * The latest trading day whose data are ready, `YYYY-MM-DD` in `timeZone`: today when it
 * is a trading day and the local time is at or after `readyAt`, otherwise the trading day
 * before. Without holidays a holiday counts as a session: it costs one cheap request that
 * brings no new row, and the next run skips again.
 */
export function lastClosedSession(nowMs: number, options: SessionOptions): string {
  const readyMinutes = parseReadyAt(options.readyAt);
  const today = calendarDateIn(nowMs, options.timeZone);
  const ready = minutesIntoDayIn(nowMs, options.timeZone) >= readyMinutes;
  if (ready && isTradingDay(today, options.holidays)) return today;
  return previousTradingDay(today, options.holidays);
}

/** `HH:MM` → minutes after local midnight; anything else is a UsageError. */
export function parseReadyAt(text: string): number {
  const match = READY_AT_PATTERN.exec(text);
  if (match === null) throw new UsageError(`ready-at ${JSON.stringify(text.slice(0, 20))}: expected HH:MM, e.g. 17:00`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Trading days strictly after `afterDay`, up to and including `upToDay` (both
 * `YYYY-MM-DD`): the weekdays minus the holidays among them; 0 when `upToDay` is not
 * later. Closed form plus two binary searches, so a decade's gap costs nothing.
 */
export function tradingDaysBetween(afterDay: string, upToDay: string, holidays?: HolidayCalendar): number {
  const after = dayNumber(afterDay);
  const upTo = dayNumber(upToDay);
  if (upTo <= after) return 0;
  const weekdays = weekdaysUpTo(upTo) - weekdaysUpTo(after);
  if (holidays === undefined) return weekdays;
  const list = holidays.weekdayHolidays;
  return weekdays - (countAtMost(list, upTo) - countAtMost(list, after));
}

/** Weekdays in (`afterDay`, `upToDay`]: {@link tradingDaysBetween} without holidays. */
export function weekdaysBetween(afterDay: string, upToDay: string): number {
  return tradingDaysBetween(afterDay, upToDay);
}

/** Whether `day` (`YYYY-MM-DD`) is a session: a weekday that is not a stored holiday. */
export function isTradingDay(day: string, holidays?: HolidayCalendar): boolean {
  return isWeekdayNumber(dayNumber(day)) && holidays?.days.has(day) !== true;
}

/** The trading day before `day` (skipping weekends and stored holidays). */
export function previousTradingDay(day: string, holidays?: HolidayCalendar): string {
  let n = dayNumber(day) - 1;
  // Bounded: at most the holidays stored plus two weekend days per week they span.
  while (!isWeekdayNumber(n) || holidays?.days.has(formatDay(n)) === true) n -= 1;
  return formatDay(n);
}

/** The weekday before `day` (Friday for a Monday, Saturday or Sunday). */
export function previousWeekday(day: string): string {
  return previousTradingDay(day);
}

/** Whether `day` (`YYYY-MM-DD`) falls Monday to Friday. */
export function isWeekday(day: string): boolean {
  return isWeekdayNumber(dayNumber(day));
}


/** Weekdays from the Monday 1969-12-29 (day -3) through day n, floored for earlier days. */
function weekdaysUpTo(n: number): number {
  const sinceMonday = n + 3;
  const weeks = Math.floor(sinceMonday / 7);
  const rest = sinceMonday - weeks * 7; // 0 … 6, the weekday of n
  return weeks * 5 + Math.min(rest + 1, 5);
}

/** How many entries of the ascending `sorted` are ≤ `n`. */
function countAtMost(sorted: readonly number[], n: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) <= n) low = mid + 1;
    else high = mid;
  }
  return low;
}
