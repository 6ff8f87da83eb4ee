import { CrawlerError, FormatError, MirrorError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { verdictOf } from './attempt-verdict.js';
import type { DjbcdQuery } from './djbcd-url.js';
import { faultKindOf, type FaultKind } from './fault-kind.js';
import { nextStep } from './failover.js';
import type { AttemptOutcome, AttemptRecord, GiveUpReason, RetryPolicy } from './failover.js';
import type { MirrorClient, MirrorResponse } from './mirror-client.js';
import type { Mirror } from './mirror-list.js';
import type { IoTurns } from './io-turns.js';
import type { FetchScheduler, LeaseResult, MirrorLease } from './mirror-scheduler.js';

/** One request to one mirror, as shown when a symbol fails. */
export interface Attempt {
  broker: string;
  /** The HTTP status when the mirror answered, else the error code (e.g. 'E_MIRROR_TIMEOUT'). */
  status: number | string;
  /** Request plus decoding, on the `now` clock. */
  ms: number;
  /** Error code when the attempt failed: E_MIRROR_HTTP, E_FORMAT … */
  code?: ErrorCode;
  /** Why, for people: the error message, or a FormatError's reason and excerpt. */
  detail?: string;
  retryAfterMs?: number;
  /** What kind of mirror fault the failure was (set with `code`). */
  fault?: FaultKind;
}

/** Codes a failed symbol can carry: the common code when every attempt failed alike. */
export type FetchFailureCode = Extract<
  ErrorCode,
  'E_ALL_MIRRORS_FAILED' | 'E_MIRROR_HTTP' | 'E_MIRROR_NETWORK' | 'E_MIRROR_TIMEOUT' | 'E_MIRROR_TOO_LARGE' | 'E_FORMAT'
>;

/** A symbol's result: the decoded value and the mirror it came from, or every attempt made. */
export type FetchOutcome<T> =
  | { ok: true; broker: string; value: T; attempts: Attempt[] }
  | { ok: false; code: FetchFailureCode; reason: GiveUpReason; message: string; attempts: Attempt[] };

/** What {@link fetchSymbol} needs; the clock, randomness and sleeping are passed in. */
export interface FetchSymbolDeps<T> {
  mirrors: readonly Mirror[];
  client: MirrorClient;
  query: DjbcdQuery;
  policy: RetryPolicy;
  /** The symbol's first mirror, from a process-wide rotation. */
  startIndex: number;
  /** The parser. A FormatError (an HTML page, garbage, a truncated payload) counts as a transient mirror failure. */
  decode: (response: MirrorResponse) => Promise<T>;
  /** Must reject with `signal.reason` when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds, monotonic enough for deadlines and Retry-After. */
  now: () => number;
  random: () => number;
  signal?: AbortSignal;
  onAttempt?: (attempt: Attempt) => void;
  /**
   * The batch's shared request pool. With it, failover still decides when to try and which
   * mirrors may be tried, the scheduler picks which one (healthy, least loaded) and paces
   * it; time spent queued for a slot or waiting for any mirror to recover is not charged
   * to the symbol's attempts or deadline. Without it, mirrors are taken in rotation order.
   * It must be built over `mirrors`, in the same order.
   */
  scheduler?: FetchScheduler | undefined;
  /** Mirror names never to ask for this symbol: those already heard, or found at fault. */
  exclude?: readonly string[] | undefined;
  /**
   * Where a pooled attempt waits between reading its answer and decoding it: the batch's
   * shared turns (one decode per event-loop turn, see io-turns.ts). Without it, an
   * answer is decoded as soon as it is read.
   */
  ioTurns?: IoTurns | undefined;
}

type AttemptFailure = { ok: false; outcome: AttemptOutcome; attempt: Attempt; deadlinePassed: boolean };

type AttemptResult<T> = { ok: true; value: T; attempt: Attempt } | AttemptFailure;

/**
 * Fetches and decodes one symbol, failing over between mirrors as {@link nextStep} decides.
 * Mirror failures never throw: they end in `{ ok: false, attempts }`. Only the caller's
 * abort (its reason), AllMirrorsDownError from the scheduler (fatal to the batch) and
 * errors that are not mirror failures (bugs) propagate.
 */
export async function fetchSymbol<T>(symbol: string, deps: FetchSymbolDeps<T>): Promise<FetchOutcome<T>> {
  const { mirrors, policy, now, scheduler } = deps;
  if (scheduler !== undefined && scheduler.blockedForMs().length !== mirrors.length) {
    throw new CrawlerError('E_INTERNAL', 'the scheduler was built over another mirror list');
  }
  const startedAt = now();
  // Time that is not the symbol's own: queued behind other symbols, or every mirror down.
  let pausedMs = 0;
  const paused = async <R>(wait: Promise<R>): Promise<R> => {
    const began = now();
    try {
      return await wait;
    } finally {
      pausedMs += now() - began;
    }
  };
  const history: AttemptRecord[] = [];
  const attempts: Attempt[] = [];
  const excluded = deps.exclude === undefined ? undefined : excludedIndexes(mirrors, deps.exclude);
  for (;;) {
    deps.signal?.throwIfAborted();
    if (scheduler !== undefined && !scheduler.anyAvailable()) {
      await paused(scheduler.waitForAnyMirror(deps.signal));
      continue;
    }
    const at = now();
    const step = nextStep({
      mirrorCount: mirrors.length,
      startIndex: deps.startIndex,
      history,
      startedAt: startedAt + pausedMs,
      now: at,
      policy,
      random: deps.random,
      blockedUntil: scheduler?.blockedForMs().map((ms) => at + ms),
      excluded,
    });
    if (step.kind === 'give-up') return failure(symbol, step.reason, attempts);
    if (step.kind === 'done') throw new CrawlerError('E_INTERNAL', 'failover asked to go on after a success');
    if (step.kind === 'wait' && step.ms > 0) await deps.sleep(step.ms, deps.signal);

    let mirrorIndex = step.mirrorIndex;
    let lease: MirrorLease | undefined;
    if (scheduler !== undefined) {
      lease = await paused(scheduler.acquire(step.candidates, deps.signal));
      // Every candidate's circuit opened meanwhile: plan again, nothing was spent.
      if (lease === undefined) continue;
      mirrorIndex = lease.mirrorIndex;
    }
    const mirror = mirrors[mirrorIndex]!;
    const remainingMs = startedAt + pausedMs + policy.symbolDeadlineMs - now();
    const result = await attemptOnce(symbol, mirror, deps, remainingMs, lease);
    attempts.push(result.attempt);
    deps.onAttempt?.(result.attempt);
    if (result.ok) return { ok: true, broker: mirror.name, value: result.value, attempts };
    history.push({ mirrorIndex, round: step.round, endedAt: now(), outcome: result.outcome });
    if (result.deadlinePassed) return failure(symbol, 'deadline', attempts);
  }
}

/**
 * One request and its decoding. With a lease, the slot is given back as soon as the body is
 * in (decoding is local CPU work, and holding the slot would pace the mirror by the parser),
 * and the outcome is reported after decoding: an HTML page only shows up there.
 */
async function attemptOnce<T>(
  symbol: string,
  mirror: Mirror,
  deps: FetchSymbolDeps<T>,
  remainingMs: number,
  lease: MirrorLease | undefined,
): Promise<AttemptResult<T>> {
  const began = deps.now();
  // The symbol's deadline cuts an attempt short too.
  let deadlinePassed = false;
  const cutoff = {
    afterMs: remainingMs,
    reason: () => {
      deadlinePassed = true;
      return new MirrorError('E_MIRROR_TIMEOUT', mirror.name, `${symbol}: the symbol's deadline passed`, { transient: true });
    },
  };
  let status: number | undefined;
  let requestMs: number | undefined;
  const report: LeaseResult = { verdict: 'aborted' };
  try {
    const response = await deps.client.get(mirror, symbol, deps.query, deps.signal, cutoff);
    requestMs = deps.now() - began;
    lease?.release();
    status = response.status;
    // Answers arrive in waves (a mirror's slots were filled together): decoding this one
    // at once would hold back the next ones, and so their slots' next requests, behind
    // its CPU work. Waiting for a later turn lets every answer already in hand its slot back first.
    if (lease !== undefined && deps.ioTurns !== undefined) await deps.ioTurns.next();
    const value = await deps.decode(response);
    report.verdict = 'success';
    return { ok: true, value, attempt: { broker: mirror.name, status, ms: deps.now() - began } };
  } catch (error) {
    // A failed request is reported before its slot is given back, so that no request slips
    // out to a mirror whose circuit this very failure opens.
    requestMs ??= deps.now() - began;
    if (deps.signal?.aborted) throw deps.signal.reason;
    // Cut short by our own deadline, the attempt says nothing about the mirror.
    report.verdict = error instanceof MirrorError && deadlinePassed ? 'neutral' : verdictOf(error);
    const failed = failedAttempt(error, mirror.name, status, deps.now() - began, deadlinePassed);
    if (failed === undefined) {
      // A bug, not a mirror failure: it propagates, and the mirror is not blamed.
      report.verdict = 'aborted';
      throw error;
    }
    if (error instanceof MirrorError) report.retryAfterMs = error.retryAfterMs;
    return failed;
  } finally {
    lease?.report({ ...report, ms: requestMs });
  }
}

/**
 * A failed attempt as failover and the summary see it: a FormatError is a transient fault
 * of the mirror, a MirrorError says itself whether it is; `ms` is the attempt's time and
 * `timedOut` whether the symbol's deadline cut it short. Undefined for any other error (a bug).
 */
function failedAttempt(error: unknown, broker: string, status: number | undefined, ms: number, timedOut: boolean): AttemptFailure | undefined {
  if (error instanceof FormatError) {
    const detail = `${error.reason}: ${error.excerpt}`;
    const attempt: Attempt = { broker, status: status ?? 'E_FORMAT', ms, code: 'E_FORMAT', detail, fault: faultKindOf(error) };
    return { ok: false, outcome: { kind: 'transient' }, attempt, deadlinePassed: false };
  }
  if (!(error instanceof MirrorError)) return undefined;
  const attempt: Attempt = { broker, status: error.status ?? error.code, ms, code: error.code, detail: error.message, fault: faultKindOf(error) };
  if (error.retryAfterMs !== undefined) attempt.retryAfterMs = error.retryAfterMs;
  const outcome: AttemptOutcome = error.transient ? { kind: 'transient', retryAfterMs: error.retryAfterMs } : { kind: 'permanent' };
  return { ok: false, outcome, attempt, deadlinePassed: timedOut };
}

function excludedIndexes(mirrors: readonly Mirror[], names: readonly string[]): number[] {
  const skip = new Set(names);
  return mirrors.flatMap((mirror, index) => (skip.has(mirror.name) ? [index] : []));
}

function failure<T>(symbol: string, reason: GiveUpReason, attempts: Attempt[]): FetchOutcome<T> {
  const codes = new Set(attempts.map((a) => a.code));
  const only = codes.size === 1 ? [...codes][0] : undefined;
  const code: FetchFailureCode = only !== undefined && only !== 'E_ALL_MIRRORS_FAILED' ? (only as FetchFailureCode) : 'E_ALL_MIRRORS_FAILED';
  const tried = attempts.map((a) => `${a.broker} ${a.status} ${Math.round(a.ms)} ms`).join('; ');
  const message =
    attempts.length === 0
      ? `${symbol}: no mirror to try (${reason})`
      : `${symbol}: no mirror delivered after ${attempts.length} attempt(s) (${reason}): ${tried}`;
  return { ok: false, code, reason, message, attempts };
}
