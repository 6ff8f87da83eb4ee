import { CrawlerError } from '../errors.js';
import { weekdaysBetween } from './trading-session.js';

/** Bars re-fetched before the first missing day, to check that stored history still holds. */
export const DEFAULT_OVERLAP_BARS = 3;

/** djbcd `c` for a whole history: about eleven years of sessions. */
export const DEFAULT_FULL_COUNT = 2880;

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
  /** Default {@link DEFAULT_OVERLAP_BARS}. */
  overlapBars?: number | undefined;
  /** Default {@link DEFAULT_FULL_COUNT}; also the cap on an incremental window. */
  fullCount?: number | undefined;
}

/**
 * Decides skip, incremental or full for one symbol. Weekdays over-count sessions
 * (holidays), so the window errs on the large side; a Saturday make-up session would eat
 * one overlap bar, which is why the overlap is more than one.
 */
export function planSymbol(input: PlanInput): SymbolPlan {
  const overlapBars = input.overlapBars ?? DEFAULT_OVERLAP_BARS;
  const fullCount = input.fullCount ?? DEFAULT_FULL_COUNT;
  if (!Number.isInteger(overlapBars) || overlapBars < 0 || !Number.isInteger(fullCount) || fullCount < 1) {
    throw new CrawlerError('E_INTERNAL', `bad plan limits: overlapBars=${overlapBars}, fullCount=${fullCount}`);
  }
  if (input.latestStored === null) return { kind: 'full', count: fullCount, reason: 'no_history' };
  if (input.full) return { kind: 'full', count: fullCount, reason: 'forced_full' };
  // Plain string order is date order for YYYY-MM-DD.
  if (input.latestStored >= input.lastSession && !input.force) return { kind: 'skip', reason: 'fresh' };
  const missing = weekdaysBetween(input.latestStored, input.lastSession);
  // At least one new bar is asked for, so a forced fetch of a fresh symbol still reaches past the overlap.
  const count = Math.min(fullCount, Math.max(missing, 1) + overlapBars);
  return { kind: 'incremental', count, since: input.latestStored };
}

/** Counts of a batch's plans, for the start-of-run log line. */
export interface PlanCounts {
  skip: number;
  full: number;
  incremental: number;
  /** Sum of `count` over the non-skipped plans: the bars the mirrors will be asked for. */
  barsRequested: number;
}

/** Tallies plans; cheap enough to call on the whole universe before fetching. */
export function summarisePlans(plans: Iterable<SymbolPlan>): PlanCounts {
  const counts: PlanCounts = { skip: 0, full: 0, incremental: 0, barsRequested: 0 };
  for (const plan of plans) {
    counts[plan.kind] += 1;
    if (plan.kind !== 'skip') counts.barsRequested += plan.count;
  }
  return counts;
}
