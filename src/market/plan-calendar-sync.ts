import type { HolidaySchedule, MarketHoliday } from './parse-holiday-schedule.js';
import { MIN_ROWS_SHARE } from './plan-market-sync.js';
import type { SourceRefusal } from './source-refusal.js';

/** The holiday changes one schedule brings, safe to apply. */
export interface CalendarSyncPlan {
  /** The year the schedule covers (most of its rows). */
  year: number;
  /** Every year a row falls in: these years' stored holidays are replaced, other years kept. */
  years: number[];
  holidays: MarketHoliday[];
  /** Days stored for the first time. */
  added: string[];
  /** Days stored before in these years that the schedule no longer lists (a corrected schedule). */
  removed: string[];
  /** Days whose name or description changed. */
  changed: string[];
  tradingDays: number;
}

export type CalendarSyncDecision = { ok: true; plan: CalendarSyncPlan } | { ok: false; refusal: SourceRefusal };

/**
 * Decides what a holiday schedule changes (pure): the stored holidays of the years it
 * covers become the schedule's; other years are kept. Refused (`shrunk`) when it has fewer
 * than half the rows of the last good sync.
 * @param stored the stored holidays of `schedule.years`
 */
export function planCalendarSync(
  schedule: HolidaySchedule,
  stored: readonly MarketHoliday[],
  lastGoodRows: number | null,
): CalendarSyncDecision {
  if (lastGoodRows !== null && schedule.rows < lastGoodRows * MIN_ROWS_SHARE) {
    return {
      ok: false,
      refusal: {
        reason: 'shrunk',
        message: `the holiday schedule has ${schedule.rows} rows, fewer than half the ${lastGoodRows} of the last good sync`,
      },
    };
  }
  const years = new Set(schedule.years);
  const before = new Map(stored.filter((holiday) => years.has(Number(holiday.day.slice(0, 4)))).map((holiday) => [holiday.day, holiday]));
  const now = new Set(schedule.holidays.map((holiday) => holiday.day));
  const added: string[] = [];
  const changed: string[] = [];
  for (const holiday of schedule.holidays) {
    const old = before.get(holiday.day);
    if (old === undefined) added.push(holiday.day);
    else if (old.name !== holiday.name || old.description !== holiday.description) changed.push(holiday.day);
  }
  const removed = [...before.keys()].filter((day) => !now.has(day)).sort();
  return {
    ok: true,
    plan: {
      year: schedule.year,
      years: schedule.years,
      holidays: schedule.holidays,
      added,
      removed,
      changed,
      tradingDays: schedule.tradingDays.length,
    },
  };
}
