import type { UpsertCounts } from '../db/bars/daily-bars-repository.js';
import { CrawlerError } from '../errors.js';
import type { MirrorFault } from '../mirrors/fault-kind.js';
import type { Attempt, FetchOutcome } from '../mirrors/fetch-symbol.js';
import type { DailySeries } from '../core/daily-series.js';
import type { DailyBar } from '../core/daily-bar.js';
import type { RejectedBar, ValidationResult } from '../validate/validate-bars.js';
import { planSymbol, type SymbolPlan } from './plan.js';
import type { HolidayCalendar } from './trading-session.js';
import { runPool } from '../task-pool.js';
import { createBarBudget } from './bar-budget.js';
import { barsToWrite } from './unchanged-bars.js';
import { fetchTrustedBars, type BatchFetchRequest, type TrustedFailureCode } from './trusted-bars.js';

export type { BatchFetchRequest } from './trusted-bars.js';

/** What happened to one symbol of a batch. */
export type BatchSymbolResult =
  | { symbol: string; status: 'skipped'; /** Its newest stored trading day, at or after the last closed session. */ latest: string }
  | {
      symbol: string;
      status: 'stored';
      broker: string;
      plan: SymbolPlan['kind'];
      /** Bars the mirror sent that passed validation. */
      bars: number;
      validation: ValidationResult['counts'];
      /** null in a dry run. */
      counts: UpsertCounts | null;
      /** Two mirrors agreed the stored overlap bars changed: the full history was fetched again and rewritten. */
      revised: boolean;
      /** A second mirror confirmed the newest bars of the whole history stored. */
      confirmed: boolean;
      attempts: Attempt[];
      /** Every mirror fault met for the symbol: its attempts' and those found by comparing mirrors. */
      faults: MirrorFault[];
    }
  | {
      symbol: string;
      status: 'failed';
      code: TrustedFailureCode | 'E_DB_WRITE';
      message: string;
      attempts: Attempt[];
      faults: MirrorFault[];
    };

/** Everything the batch needs, passed in; see the `update` command for the real wiring. */
export interface RunBatchDeps {
  symbols: readonly string[];
  /**
   * A symbol's newest stored trade date, null when it has no history. It may wait for the
   * store's answer: symbols are planned, and their requests sent, as these come in.
   */
  latestStored: (symbol: string) => Promise<string | null>;
  /** The last `perSymbol` stored bars of each symbol, oldest first. */
  recentBars: (symbols: readonly string[], perSymbol: number) => Promise<Map<string, DailyBar[]>>;
  fetch: (symbol: string, request: BatchFetchRequest) => Promise<FetchOutcome<DailySeries>>;
  /**
   * Hands one symbol's bars to the writer: resolves once they are accepted (backpressure),
   * with the promise of their atomic commit. Absent in a dry run.
   */
  enqueue?: ((symbol: string, bars: readonly DailyBar[], broker: string) => Promise<{ committed: Promise<UpsertCounts> }>) | undefined;
  /**
   * Told once no symbol is left to fetch: writes still gathering company for a shared
   * statement (see the bar writer's maxDelayMs) can go at once. Absent in a dry run.
   */
  flushWrites?: (() => void) | undefined;
  /** Today in the trading calendar's zone, for validation. */
  today: string;
  /** The latest session whose bars are published (smart skip). */
  lastSession: string;
  options: {
    force: boolean;
    full: boolean;
    /** With `full`, still skip what is fresh (`fetch --skip-fresh`). */
    onlyStale?: boolean | undefined;
    /** The market's holidays: the incremental window counts trading days (weekdays when absent). */
    holidays?: HolidayCalendar | undefined;
    overlapBars: number;
    fullCount: number;
    /** Newest bars a second mirror confirms of every whole history before it is stored. */
    confirmBars: number;
    /** Mirrors configured: with one there is no second opinion to ask. */
    mirrorCount: number;
    symbolsInFlight: number;
    /** Bars asked for by the symbols in flight, at most (see bar-budget.ts); unbounded when absent. */
    barsInFlight?: number | undefined;
  };
  onResult: (result: BatchSymbolResult) => void;
  /**
   * Shown each symbol's accepted bars and the rows validation refused, before they are
   * written: `fetch` prints them. `update` leaves it out, so no bar outlives its write.
   */
  onBars?: ((symbol: string, bars: readonly DailyBar[], rejected: readonly RejectedBar[]) => void) | undefined;
  /** Stop starting symbols (a signal, or a fatal error elsewhere); running ones finish. */
  shouldStop: () => boolean;
  /**
   * Aborted when the shutdown grace period runs out: requests in flight are cancelled and
   * their symbols counted as never started (nothing of theirs is written).
   */
  cancel?: AbortSignal | undefined;
  /**
   * Told of each fault found by comparing mirrors (`empty`, `disagreement`), whose request
   * was booked as a success: the pool charges it to the mirror's circuit.
   */
  chargeMirror?: ((broker: string) => void) | undefined;
  /** Told once, at the first fatal error, so the caller can cancel what is in flight. */
  onFatal?: ((error: CrawlerError) => void) | undefined;
}

/** How the batch ended: `fatal` holds the error that stopped it (database gone, every mirror down). */
export interface BatchEnd {
  /** Symbols never started, or cancelled in flight when the grace period ran out. */
  notStarted: number;
  fatal: CrawlerError | undefined;
}

/**
 * The nightly pipeline: plan each symbol as its newest stored day comes in (skip what is
 * fresh, ask only for new bars), then fetch → parse → validate → check the overlap →
 * write, a bounded number of symbols at a time. A failed symbol is a result; a fatal error
 * (the store's tails unreadable among them) stops new symbols from starting, lets running
 * ones finish, and is returned rather than thrown.
 */
export async function runBatch(deps: RunBatchDeps): Promise<BatchEnd> {
  const { options } = deps;

  let fatal: CrawlerError | undefined;
  const noteFatal = (error: unknown): void => {
    if (!isFatal(error)) throw error;
    if (fatal !== undefined) return;
    fatal = error;
    deps.onFatal?.(error);
  };
  // A symbol waiting for its commit holds no fetch slot: it rides in the writer's next statement.
  const commits = new Set<Promise<void>>();
  let unexpected: { error: unknown } | undefined;
  let cancelled = 0;
  const budget = createBarBudget(options.barsInFlight ?? Number.POSITIVE_INFINITY);
  const planning: PlanningEnd = { failure: undefined, unread: 0 };
  const { notStarted } = await runPool(
    plannedSymbols(deps, planning),
    options.symbolsInFlight,
    async ([symbol, plan]) => {
      const release = await budget.acquire(plan.count);
      let releasedByCommit = false;
      try {
        // Asked for per symbol, when it starts: only the symbols in flight hold their stored bars as objects.
        const stored = plan.kind === 'incremental' ? ((await deps.recentBars([symbol], options.overlapBars)).get(symbol) ?? []) : [];
        const crawled = await crawlPlanned(symbol, plan, stored, deps);
        if (crawled.kind === 'done') {
          deps.onResult(crawled.result);
          return;
        }
        const commit: Promise<void> = crawled.committed
          .then(
            (counts) => deps.onResult(crawled.finish(counts)),
            (error: unknown) => (isFatal(error) ? noteFatal(error) : deps.onResult(writeFailure(crawled.failed, error))),
          )
          .catch((error: unknown) => {
            unexpected ??= { error };
          })
          .finally(() => {
            commits.delete(commit);
            release();
          });
        commits.add(commit);
        releasedByCommit = true;
      } catch (error) {
        if (deps.cancel?.aborted && !isFatal(error)) {
          cancelled += 1;
          return;
        }
        noteFatal(error);
      } finally {
        if (!releasedByCommit) release();
      }
    },
    () => fatal !== undefined || planning.failure !== undefined || deps.shouldStop(),
  );
  if (commits.size > 0) deps.flushWrites?.();
  await Promise.all(commits);
  if (unexpected !== undefined) throw unexpected.error;
  if (planning.failure !== undefined) noteFatal(planning.failure.error);
  return { notStarted: notStarted + cancelled + planning.unread, fatal };
}

/** How planning ended when the store could not say what it holds of the rest. */
interface PlanningEnd {
  failure: { error: unknown } | undefined;
  /** Symbols never planned, after a failure. */
  unread: number;
}

/**
 * The symbols to crawl with their plans, in order, each as its newest stored day comes in;
 * the fresh ones are reported skipped and left out. A failed read ends it, noted in `end`.
 */
async function* plannedSymbols(deps: RunBatchDeps, end: PlanningEnd): AsyncGenerator<[string, Exclude<SymbolPlan, { kind: 'skip' }>]> {
  const { options } = deps;
  const symbols = [...new Set(deps.symbols)];
  for (const [index, symbol] of symbols.entries()) {
    let latestStored: string | null;
    try {
      latestStored = await deps.latestStored(symbol);
    } catch (error) {
      end.failure = { error };
      end.unread = symbols.length - index;
      return;
    }
    const plan = planSymbol({
      symbol,
      latestStored,
      lastSession: deps.lastSession,
      force: options.force,
      full: options.full,
      onlyStale: options.onlyStale === true,
      holidays: options.holidays,
      overlapBars: options.overlapBars,
      fullCount: options.fullCount,
    });
    if (plan.kind === 'skip') deps.onResult({ symbol, status: 'skipped', latest: latestStored ?? deps.lastSession });
    else yield [symbol, plan];
  }
}

type FailedContext = { symbol: string; attempts: Attempt[]; faults: MirrorFault[] };

type Crawled =
  | { kind: 'done'; result: BatchSymbolResult }
  | {
      kind: 'writing';
      committed: Promise<UpsertCounts>;
      finish: (counts: UpsertCounts) => BatchSymbolResult;
      failed: FailedContext;
    };

async function crawlPlanned(symbol: string, plan: Exclude<SymbolPlan, { kind: 'skip' }>, stored: readonly DailyBar[], deps: RunBatchDeps): Promise<Crawled> {
  // Adjusted prices move after an ex-dividend date; appending new bars to the old base would
  // mix two price bases, so a revised history is fetched whole and rewritten (see trusted-bars).
  const { fullCount, confirmBars, mirrorCount } = deps.options;
  const trusted = await fetchTrustedBars(symbol, plan, stored, { fetch: deps.fetch, today: deps.today, fullCount, confirmBars, mirrorCount });
  const { attempts, faults } = trusted;
  for (const fault of trusted.judged) deps.chargeMirror?.(fault.broker);
  if (!trusted.ok) {
    return { kind: 'done', result: { symbol, status: 'failed', code: trusted.code, message: trusted.message, attempts, faults } };
  }
  const { bars, validation, broker, revised, confirmed } = trusted;
  deps.onBars?.(symbol, bars, trusted.rejected);

  // Only the count: a closure naming `bars` would keep every bar alive until the commit.
  const barCount = bars.length;
  const written = barsToWrite(stored, bars);
  const twins = written.unchanged;
  const finish = (counts: UpsertCounts | null): BatchSymbolResult => ({
    symbol,
    status: 'stored',
    broker,
    plan: plan.kind,
    bars: barCount,
    validation,
    counts: counts === null ? null : { ...counts, unchanged: counts.unchanged + twins },
    revised,
    confirmed,
    attempts,
    faults,
  });
  if (deps.enqueue === undefined) return { kind: 'done', result: finish(null) };
  if (written.bars.length === 0) return { kind: 'done', result: finish({ created: 0, updated: 0, unchanged: 0 }) };
  try {
    const { committed } = await deps.enqueue(symbol, written.bars, broker);
    return { kind: 'writing', committed, finish, failed: { symbol, attempts, faults } };
  } catch (error) {
    if (isFatal(error)) throw error;
    return { kind: 'done', result: writeFailure({ symbol, attempts, faults }, error) };
  }
}

function writeFailure(context: FailedContext, error: unknown): BatchSymbolResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ...context, status: 'failed', code: 'E_DB_WRITE', message: `${context.symbol}: not stored: ${message}` };
}

/** Errors after which no other symbol can succeed either. */
const FATAL_CODES = new Set(['E_DB_UNAVAILABLE', 'E_DB_SCHEMA', 'E_ALL_MIRRORS_DOWN']);

function isFatal(error: unknown): error is CrawlerError {
  return error instanceof CrawlerError && FATAL_CODES.has(error.code);
}
