import { dayNumber, formatDay, isWeekdayNumber } from '../core/day-number.js';

/**
 * The trading calendar as verify sees it: weekdays minus `holidays` ('YYYY-MM-DD'); an
 * empty set means weekdays only. Days are handled as whole numbers (days since
 * 1970-01-01) so that a six-year span costs a few thousand integer steps.
 */
export interface TradingCalendar {
  holidays: ReadonlySet<string>;
}


/** Whether `day` is a trading day of `calendar`: a weekday that is not a holiday. */
export function isTradingDay(day: string, calendar: TradingCalendar): boolean {
  return isWeekdayNumber(dayNumber(day)) && !calendar.holidays.has(day);
}

/** The trading days from `from` to `to`, both inclusive, oldest first; none when `to` is earlier. */
export function tradingDaysBetween(from: string, to: string, calendar: TradingCalendar): string[] {
  const days: string[] = [];
  const last = dayNumber(to);
  for (let n = dayNumber(from); n <= last; n += 1) {
    if (!isWeekdayNumber(n)) continue;
    const day = formatDay(n);
    if (!calendar.holidays.has(day)) days.push(day);
  }
  return days;
}

/** Weekdays from `from` to `to`, both inclusive (0 when `to` is earlier): an upper bound of the trading days. */
export function weekdaysFromTo(from: string, to: string): number {
  let count = 0;
  const last = dayNumber(to);
  for (let n = dayNumber(from); n <= last; n += 1) if (isWeekdayNumber(n)) count += 1;
  return count;
}

/**
 * Index of the first element of the sorted `days` that is ≥ `day` (days.length when none):
 * with it, the days of a sorted list inside a span are counted in O(log n).
 */
export function lowerBound(days: readonly string[], day: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted `days` fall in [from, to]. */
export function countBetween(days: readonly string[], from: string, to: string): number {
  if (to < from) return 0;
  return lowerBound(days, nextDay(to)) - lowerBound(days, from);
}

/** The calendar day after `day`. */
export function nextDay(day: string): string {
  return formatDay(dayNumber(day) + 1);
}
