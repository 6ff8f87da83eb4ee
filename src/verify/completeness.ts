import type { SymbolSpan } from '../db/quality/completeness-reader.js';
import { dayNumber, formatDay } from '../core/day-number.js';
import { countBetween, lowerBound, nextDay, tradingDaysBetween, type TradingCalendar } from './trading-days.js';

/** Share of the symbols that should have a day and lack it from which the day is a market closure. */
export const CLOSURE_SHARE = 0.9;
/**
 * Fewer symbols than this cannot tell a closure from a gap: one symbol lacking a day is a
 * gap, whatever the share says.
 */
export const CLOSURE_MIN_SYMBOLS = 3;

/** The calendar as the store shows it. */
export interface MarketDays {
  /** Trading days on which ≥ {@link CLOSURE_SHARE} of the symbols that should have a bar lack one, oldest first. */
  closures: string[];
  /** Trading days that are not closures, oldest first, up to the newest stored or session day. */
  openDays: string[];
  /** The latest trading day ≤ lastSession: a symbol whose newest bar is older is lagging. */
  lastSession: string;
}

/** Options of {@link findMarketDays}. */
export interface MarketDaysOptions extends TradingCalendar {
  /** The last closed session, 'YYYY-MM-DD'. */
  lastSession: string;
  /** Default {@link CLOSURE_SHARE}. */
  closureShare?: number | undefined;
  /** Default {@link CLOSURE_MIN_SYMBOLS}. */
  closureMinSymbols?: number | undefined;
}

/**
 * Finds the market closures from the whole set of symbols: a trading day is expected of
 * every symbol whose first bar is on or before it; when ≥ 90 % of those lack it, the
 * market was closed (a typhoon day, or a holiday the calendar does not list).
 *
 * Only days before the newest busy day can be closures: after it, "every symbol lacks the
 * day" is just as well a store that stopped being updated, and taking it for a closure
 * would report a stale store as complete. So without a calendar, a holiday on the last
 * session itself shows every symbol lagging until the next session's bars arrive.
 */
export function findMarketDays(spans: Iterable<SymbolSpan>, barsPerDay: ReadonlyMap<string, number>, options: MarketDaysOptions): MarketDays {
  const share = options.closureShare ?? CLOSURE_SHARE;
  const minSymbols = options.closureMinSymbols ?? CLOSURE_MIN_SYMBOLS;
  const firsts: string[] = [];
  let newest = options.lastSession;
  for (const span of spans) {
    firsts.push(span.first);
    if (span.last > newest) newest = span.last;
  }
  firsts.sort();
  const lastSession = latestTradingDay(options.lastSession, options);
  if (firsts.length === 0) return { closures: [], openDays: [], lastSession };

  const days = tradingDaysBetween(firsts[0]!, newest, options);
  const isClosed = days.map((day) => {
    const expected = lowerBound(firsts, nextDay(day));
    const missing = expected - (barsPerDay.get(day) ?? 0);
    return expected >= minSymbols && missing >= share * expected;
  });
  let lastBusy = -1;
  for (let i = 0; i < days.length && days[i]! <= lastSession; i += 1) if (!isClosed[i]) lastBusy = i;
  const closures: string[] = [];
  const openDays: string[] = [];
  days.forEach((day, i) => (i < lastBusy && isClosed[i] ? closures : openDays).push(day));
  return { closures, openDays, lastSession };
}

/** The latest trading day on or before `day` (itself when it is one). */
function latestTradingDay(day: string, calendar: TradingCalendar): string {
  // Holidays never run for weeks: a month back always finds a weekday that is not one.
  const back = tradingDaysBetween(formatDay(dayNumber(day) - 31), day, calendar);
  return back.at(-1) ?? day;
}

/** One symbol's completeness. */
export interface SymbolCompleteness {
  stock_code: string;
  /** Newest bar on or after the last session. */
  upToDate: boolean;
  /** Open days inside its stored span (first to newest bar) that it lacks. */
  missing: number;
}

/**
 * The stored days that are not open days (a weekend-dated bar, a holiday, a closure): the
 * few bars on them are taken out of each symbol's count, so that only open days are
 * weighed against open days. Usually none, since no symbol has a bar on such a day.
 */
export function closedDaysWithBars(barsPerDay: ReadonlyMap<string, number>, market: MarketDays): string[] {
  const open = new Set(market.openDays);
  return [...barsPerDay.keys()].filter((day) => !open.has(day)).sort();
}

/**
 * Judges each symbol against the market days: lagging when it has no bar or its newest is
 * older than the last session; `missing` counts the open days between its first and newest
 * bar it lacks (a lagging symbol's missing tail is reported once, as lagging, not as gaps).
 * `closedBars` counts each symbol's bars on days that are not open days (see {@link closedDaysWithBars}).
 */
export function judgeSymbols(
  symbols: readonly string[],
  spans: ReadonlyMap<string, SymbolSpan>,
  market: MarketDays,
  closedBars: ReadonlyMap<string, number>,
): SymbolCompleteness[] {
  return symbols.map((stock_code) => {
    const span = spans.get(stock_code);
    if (span === undefined) return { stock_code, upToDate: false, missing: 0 };
    const expected = countBetween(market.openDays, span.first, span.last);
    const stored = span.bars - (closedBars.get(stock_code) ?? 0);
    return { stock_code, upToDate: span.last >= market.lastSession, missing: Math.max(0, expected - stored) };
  });
}

/** The open days of `market` in [first, last] that `stored` (sorted) lacks, oldest first, at most `limit`. */
export function missingDays(stored: readonly string[], first: string, last: string, market: MarketDays, limit: number): string[] {
  const have = new Set(stored);
  const missing: string[] = [];
  for (let i = lowerBound(market.openDays, first); i < market.openDays.length && missing.length < limit; i += 1) {
    const day = market.openDays[i]!;
    if (day > last) break;
    if (!have.has(day)) missing.push(day);
  }
  return missing;
}
