import type { DailySeries } from '../core/daily-series.js';
import type { DailyBar } from '../core/daily-bar.js';

/** Why a parsed row was not accepted. */
export type RejectRule =
  | 'missing_value'
  | 'invalid_date'
  | 'future_date'
  | 'non_positive_price'
  | 'price_out_of_range'
  | 'no_trade'
  | 'high_low_range'
  | 'negative_volume'
  | 'fractional_volume';

/** A row that broke a rule, with the values as read (null where missing). */
export interface RejectedBar {
  rule: RejectRule;
  /** `YYYY-MM-DD` when the date is a real one; else the raw yyyymmdd (`20230230`), or '' when missing. */
  trade_date: string;
  values: { open: number | null; high: number | null; low: number | null; close: number | null; volume: number | null };
  detail?: string;
}

/** Accepted bars (one per date, oldest first), rejected rows, and the counts. */
export interface ValidationResult {
  accepted: DailyBar[];
  rejected: RejectedBar[];
  /** `input === accepted + rejected + duplicates`; `weekend` counts accepted bars flagged as such. */
  counts: {
    input: number;
    accepted: number;
    rejected: number;
    duplicates: number;
    weekend: number;
    byRule: Partial<Record<RejectRule, number>>;
  };
}

/** Options for {@link validateBars}. */
export interface ValidateOptions {
  /** Today in Asia/Taipei, `YYYY-MM-DD`; later dates are rejected. Passed in: no clock here. */
  today: string;
}

/** Adjusted prices carry up to 4 decimals; rounding there drops float noise. */
const PRICE_SCALE = 10_000;
/**
 * Prices must stay below this: stock_daily_data's numeric(12,4) holds nothing larger, and
 * one such row would fail the write of every symbol sharing its statement. No Taiwan stock
 * comes near it; a payload that says so is corrupt. (Below it, 4-decimal rounding is exact.)
 */
const PRICE_LIMIT = 100_000_000;
const EARLIEST_YEAR = 1900;
/** About 55 years of calendar days. */
const MAX_CACHED_DAYS = 20_000;
const isoByDate = new Map<number, string>();

/**
 * Checks every parsed row and turns the good ones into {@link DailyBar}s for `symbol`.
 *
 * Rules, first match wins: a NaN or infinite value → `missing_value`; no such calendar
 * day (or before 1900) → `invalid_date`; after `today` → `future_date`; a zero close
 * (all-zero bars included) → `no_trade`; another price ≤ 0 → `non_positive_price`; a price
 * of 10^8 or more → `price_out_of_range`; open or close outside low–high → `high_low_range`; volume < 0 → `negative_volume`;
 * volume not an integer → `fractional_volume`. Prices are rounded to 4 decimals first.
 *
 * Rows sharing a date collapse to one: the last valid one in payload order wins (the
 * parser's sort is stable) and each one it replaces counts in `duplicates`. Rejected
 * rows never take part in that. Weekend dates are kept with `data_quality: 'weekend'`.
 */
export function validateBars(symbol: string, series: DailySeries, options: ValidateOptions): ValidationResult {
  const today = isoToNumber(options.today);
  if (today === undefined) throw new RangeError(`today must be a YYYY-MM-DD date, not ${JSON.stringify(options.today)}`);
  const { count: n, values: v } = series;
  const accepted: DailyBar[] = [];
  const indexByDate = new Map<number, number>();
  const rejected: RejectedBar[] = [];
  const byRule: Partial<Record<RejectRule, number>> = {};
  let duplicates = 0;

  for (let i = 0; i < n; i++) {
    const date = v[i]!;
    const raw = { open: v[n + i]!, high: v[2 * n + i]!, low: v[3 * n + i]!, close: v[4 * n + i]!, volume: v[5 * n + i]! };
    const prices = { open: round4(raw.open), high: round4(raw.high), low: round4(raw.low), close: round4(raw.close) };
    const violation = firstViolation(date, prices, raw.volume, today);
    if (violation !== undefined) {
      rejected.push({ rule: violation.rule, trade_date: dateAsRead(date), values: nullIfMissing(raw), detail: violation.detail });
      byRule[violation.rule] = (byRule[violation.rule] ?? 0) + 1;
      continue;
    }
    const bar: DailyBar = {
      stock_code: symbol,
      trade_date: numberToIso(date),
      open_price: prices.open,
      high_price: prices.high,
      low_price: prices.low,
      close_price: prices.close,
      volume: raw.volume,
      data_quality: isWeekend(date) ? 'weekend' : 'valid',
    };
    const earlier = indexByDate.get(date);
    if (earlier === undefined) {
      indexByDate.set(date, accepted.length);
      accepted.push(bar);
    } else {
      accepted[earlier] = bar;
      duplicates++;
    }
  }
  // A no-op on the parser's sorted output; keeps hand-built series in order too.
  accepted.sort((a, b) => (a.trade_date < b.trade_date ? -1 : a.trade_date > b.trade_date ? 1 : 0));

  const weekend = accepted.reduce((sum, bar) => sum + (bar.data_quality === 'weekend' ? 1 : 0), 0);
  return {
    accepted,
    rejected,
    counts: { input: n, accepted: accepted.length, rejected: rejected.length, duplicates, weekend, byRule },
  };
}

/**
 * Whether a bar satisfies every invariant the validator guarantees: a real calendar
 * date (not after `today`, when given), prices in (0, 10^8) with at most 4 decimals, low ≤ open,
 * close ≤ high, an integer volume ≥ 0, and `data_quality` matching the weekday.
 * For property and fuzz tests of anything that produces bars.
 */
export function isValidBar(bar: DailyBar, options: { today?: string } = {}): boolean {
  const date = isoToNumber(bar.trade_date);
  if (date === undefined || bar.stock_code === '') return false;
  if (options.today !== undefined && !(date <= (isoToNumber(options.today) ?? -Infinity))) return false;
  const prices = [bar.open_price, bar.high_price, bar.low_price, bar.close_price];
  if (!prices.every((p) => Number.isFinite(p) && p > 0 && p < PRICE_LIMIT && round4(p) === p)) return false;
  if (!(bar.low_price <= Math.min(bar.open_price, bar.close_price))) return false;
  if (!(Math.max(bar.open_price, bar.close_price) <= bar.high_price)) return false;
  if (!(Number.isSafeInteger(bar.volume) && bar.volume >= 0)) return false;
  return bar.data_quality === (isWeekend(date) ? 'weekend' : 'valid');
}

type Prices = { open: number; high: number; low: number; close: number };

function firstViolation(
  date: number,
  p: Prices,
  volume: number,
  today: number,
): { rule: RejectRule; detail: string } | undefined {
  // Cheap tests first; the detail strings are built only for a rejected row.
  const finite = Number.isFinite;
  if (!(finite(date) && finite(p.open) && finite(p.high) && finite(p.low) && finite(p.close) && finite(volume))) {
    const missing = Object.entries({ date, ...p, volume }).filter(([, value]) => !finite(value));
    return { rule: 'missing_value', detail: `missing: ${missing.map(([name]) => name).join(', ')}` };
  }
  if (!isCalendarDate(date)) return { rule: 'invalid_date', detail: `no such day: ${date}` };
  if (date > today) return { rule: 'future_date', detail: `after today (${numberToIso(today)})` };
  if (p.close === 0) return { rule: 'no_trade', detail: 'close is 0' };
  if (p.open <= 0 || p.high <= 0 || p.low <= 0 || p.close < 0) {
    const notPositive = Object.entries(p).filter(([, value]) => value <= 0);
    return { rule: 'non_positive_price', detail: notPositive.map(([name, value]) => `${name} ${value}`).join(', ') };
  }
  if (p.open >= PRICE_LIMIT || p.high >= PRICE_LIMIT || p.low >= PRICE_LIMIT || p.close >= PRICE_LIMIT) {
    const tooLarge = Object.entries(p).filter(([, value]) => value >= PRICE_LIMIT);
    return { rule: 'price_out_of_range', detail: `${tooLarge.map(([name, value]) => `${name} ${value}`).join(', ')} (limit ${PRICE_LIMIT})` };
  }
  if (p.low > p.high || p.open < p.low || p.open > p.high || p.close < p.low || p.close > p.high) {
    return { rule: 'high_low_range', detail: `open ${p.open} close ${p.close} outside low ${p.low}–high ${p.high}` };
  }
  if (volume < 0) return { rule: 'negative_volume', detail: `volume ${volume}` };
  if (!Number.isSafeInteger(volume)) return { rule: 'fractional_volume', detail: `volume ${volume}` };
  return undefined;
}

function round4(x: number): number {
  return Math.round(x * PRICE_SCALE) / PRICE_SCALE;
}

function nullIfMissing(raw: Prices & { volume: number }): RejectedBar['values'] {
  const keep = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { open: keep(raw.open), high: keep(raw.high), low: keep(raw.low), close: keep(raw.close), volume: keep(raw.volume) };
}

// Arithmetic, not Date objects: these run for every bar of a backfill (millions).
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// Sakamoto's month offsets for the day of the week.
const WEEKDAY_OFFSET = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isCalendarDate(date: number): boolean {
  if (!Number.isInteger(date)) return false;
  const year = Math.floor(date / 10_000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  if (year < EARLIEST_YEAR || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const last = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  return day <= last;
}

/** For a calendar date (see isCalendarDate): Saturday or Sunday. */
function isWeekend(date: number): boolean {
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  const year = Math.floor(date / 10_000) - (month < 3 ? 1 : 0);
  const weekday =
    (year + Math.floor(year / 4) - Math.floor(year / 100) + Math.floor(year / 400) + (WEEKDAY_OFFSET[month - 1] as number) + day) % 7;
  return weekday === 0 || weekday === 6;
}

function numberToIso(date: number): string {
  let iso = isoByDate.get(date);
  if (iso === undefined) {
    const text = String(date);
    iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
    // A backfill holds millions of bars over a few thousand days: one shared string per
    // day instead of one per bar. Bounded, since dates come from the network.
    if (isoByDate.size < MAX_CACHED_DAYS) isoByDate.set(date, iso);
  }
  return iso;
}

function dateAsRead(date: number): string {
  if (Number.isNaN(date)) return '';
  return isCalendarDate(date) ? numberToIso(date) : String(date);
}

/** `YYYY-MM-DD` → yyyymmdd, or undefined when it is not a real calendar day. */
function isoToNumber(iso: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) return undefined;
  const date = Number(match[1]) * 10_000 + Number(match[2]) * 100 + Number(match[3]);
  return isCalendarDate(date) ? date : undefined;
}
