import { rocDate } from './roc-date.js';
import type { SourceRefusal } from './source-refusal.js';

/** A day the market is closed, as the schedule names it. */
export interface MarketHoliday {
  /** `YYYY-MM-DD`. */
  day: string;
  name: string;
  description: string | null;
}

/** The holiday schedule, split into closures and the marked trading days. */
export interface HolidaySchedule {
  /** Days without trading, by date. */
  holidays: MarketHoliday[];
  /** Days the schedule lists that are sessions (first and last trading days of a period), by date. */
  tradingDays: string[];
  /** Rows read (holidays + trading days). */
  rows: number;
  /** Rows without a readable date. */
  invalid: number;
  /** The year most rows fall in (the schedule covers one year). */
  year: number;
  /** Every year a row falls in, ascending. */
  years: number[];
}

export type HolidayScheduleResult = { ok: true; schedule: HolidaySchedule } | { ok: false; refusal: SourceRefusal };

// Rows named for the first or last session of a period are sessions, not closures.
const TRADING_DAY_NAME = /開始交易|最後交易/;

/**
 * Reads the exchange's holiday schedule: a JSON array of `{Name, Date (ROC yyyMMdd),
 * Weekday, Description}`. Rows whose name marks the first or last trading day of a period
 * (`開始交易`, `最後交易`) are trading days; every other row is a closure. A row without a
 * readable date is counted, not fatal; a body that is not such an array (an error page) is
 * `unparseable`, and one without a single dated row `empty`.
 */
export function parseHolidaySchedule(bytes: Uint8Array): HolidayScheduleResult {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''));
  } catch {
    return refuse('unparseable', 'the holiday schedule is not JSON (an error or block page?)');
  }
  if (!Array.isArray(data)) return refuse('unparseable', 'the holiday schedule is not a JSON array');
  const holidays = new Map<string, MarketHoliday>();
  const tradingDays = new Set<string>();
  let invalid = 0;
  for (const item of data) {
    const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const day = typeof record.Date === 'string' || typeof record.Date === 'number' ? rocDate(String(record.Date)) : null;
    if (day === null) {
      invalid += 1;
      continue;
    }
    const name = typeof record.Name === 'string' ? record.Name.trim() : '';
    const description = typeof record.Description === 'string' && record.Description.trim() !== '' ? record.Description.trim() : null;
    if (TRADING_DAY_NAME.test(name)) tradingDays.add(day);
    else if (!holidays.has(day)) holidays.set(day, { day, name, description });
  }
  // A day listed both ways is a session: a closure that is also called a trading day is not one.
  for (const day of tradingDays) holidays.delete(day);
  const rows = holidays.size + tradingDays.size;
  if (rows === 0) return refuse('empty', `the holiday schedule has no dated rows (${data.length} rows)`);
  const allDays = [...holidays.keys(), ...tradingDays];
  const perYear = new Map<number, number>();
  for (const day of allDays) perYear.set(Number(day.slice(0, 4)), (perYear.get(Number(day.slice(0, 4))) ?? 0) + 1);
  const years = [...perYear.keys()].sort((a, b) => a - b);
  // The year most rows fall in; on a tie the later one.
  const year = years.reduce((best, candidate) => ((perYear.get(candidate) ?? 0) >= (perYear.get(best) ?? 0) ? candidate : best));
  return {
    ok: true,
    schedule: {
      holidays: [...holidays.values()].sort((a, b) => (a.day < b.day ? -1 : 1)),
      tradingDays: [...tradingDays].sort(),
      rows,
      invalid,
      year,
      years,
    },
  };
}

function refuse(reason: SourceRefusal['reason'], message: string): HolidayScheduleResult {
  return { ok: false, refusal: { reason, message } };
}
