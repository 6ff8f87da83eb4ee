import { CrawlerError } from '../errors.js';
import { tradingDaysBetween, type HolidayCalendar } from './trading-session.js';

/**
 * What to do for one symbol:
 * - `skip`: its latest stored day is at or after the last closed session — no request.
 * - `full`: ask for `count` bars (the whole history) and store them all.
 * - `incremental`: ask for `count` bars — the weekdays after `since` (its latest stored
 *   day) up to the last session, plus the overlap — then compare the overlap with the
 *   stored bars (see compareOverlap) before storing.
 */
export type SymbolPlan =
  | { kind: 'skip'; reason: 'fresh' }
  | { kind: 'full'; count: number; reason: 'no_history' | 'forced_full' }
  | { kind: 'incremental'; count: number; since: string };

export interface PlanInput {
  symbol: string;
  /** Latest stored `trade_date` (`YYYY-MM-DD`), null when the symbol has no rows. */
  latestStored: string | null;
  /** From lastClosedSession. */
  lastSession: string;
  /** `--force`: fetch even when fresh (an incremental window of at least overlap + 1 bars). */
  force: boolean;
  /** `--full`: fetch the whole history whatever is stored. */
  full: boolean;
  /** The market's holidays; weekdays when absent. */
  holidays?: HolidayCalendar | undefined;
  /** With `full`, a fresh symbol is still skipped (`fetch --skip-fresh`, the old endpoint without force_update). */
  onlyStale?: boolean | undefined;
  /** Stored bars fetched again before the first missing day, to check that stored history still holds (overlapBars). */
  overlapBars: number;
  /** djbcd `c` of a whole history (barCount); also the cap on an incremental window. */
  fullCount: number;
}

/**
 * Decides skip, incremental or full for one symbol. Weekdays over-count sessions
 * (holidays), so the window errs on the large side; a Saturday make-up session would eat
 * one overlap bar, which is why the overlap is more than one.
 */
export function planSymbol(input: PlanInput): SymbolPlan {
  const { overlapBars, fullCount } = input;
  if (!Number.isInteger(overlapBars) || overlapBars < 0 || !Number.isInteger(fullCount) || fullCount < 1) {
    throw new CrawlerError('E_INTERNAL', `bad plan limits: overlapBars=${overlapBars}, fullCount=${fullCount}`);
  }
  if (input.latestStored === null) return { kind: 'full', count: fullCount, reason: 'no_history' };
  // Plain string order is date order for YYYY-MM-DD.
  const fresh = input.latestStored >= input.lastSession && !input.force;
  if (input.full && !(fresh && input.onlyStale === true)) return { kind: 'full', count: fullCount, reason: 'forced_full' };
  if (fresh) return { kind: 'skip', reason: 'fresh' };
  const missing = tradingDaysBetween(input.latestStored, input.lastSession, input.holidays);
  // At least one new bar is asked for, so a forced fetch of a fresh symbol still reaches past the overlap.
  const count = Math.min(fullCount, Math.max(missing, 1) + overlapBars);
  return { kind: 'incremental', count, since: input.latestStored };
}
