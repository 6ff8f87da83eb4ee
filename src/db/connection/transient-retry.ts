import { systemClock, type Clock } from '../../clock.js';
import { DatabaseUnavailableError } from '../../errors.js';
import { sleep as timerSleep } from '../../sleep.js';

/**
 * Errors that say "the server is not there right now" and go away by themselves: the
 * server restarting, failing over or full. Authentication failures (28xxx), a missing
 * database (3D000) and everything about the SQL itself are permanent: waiting does not
 * change them, so they are not retried.
 */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // The name resolved when the run started: during a failover a service's DNS record
  // can be missing for a moment.
  'ENOTFOUND',
]);

/**
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, in
 * recovery), 57P05 idle_session_timeout, 53300 too_many_connections; class 08 is
 * "connection exception" as a whole.
 */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300']);

/** What pg and pg-pool say, without a code, when the socket went away under them. */
const TRANSIENT_MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery|not yet accepting connections)|terminating connection due to|server closed the connection unexpectedly/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Errors a retry already gave up on: retrying them again would stretch the bound. */
const exhausted = new WeakSet<object>();

/**
 * Whether retrying the same statement later may succeed: the connection was refused,
 * reset or terminated, or the server is shutting down, starting up or out of
 * connections. Looks through `cause` chains and AggregateErrors (Node reports a refused
 * dual-stack connect as one); the first level carrying a SQLSTATE decides.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 8; depth++) {
    if (exhausted.has(current)) return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TRANSIENT_SYSTEM_CODES.has(code)) return true;
      if (SQLSTATE.test(code)) return code.startsWith('08') || TRANSIENT_SQLSTATES.has(code);
    }
    if (current instanceof AggregateError && current.errors.some((inner) => isTransientDatabaseError(inner))) return true;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** How long and how often to retry. */
export interface RetryPolicy {
  /** Longest time to keep retrying, counted from the first failure, in ms; 0: never retry. */
  budgetMs: number;
  /** Ceiling of the first backoff, doubling per retry. Default 200 ms. */
  baseDelayMs?: number;
  /**
   * Largest ceiling. Default 2 000 ms: a try against a server that is down costs one
   * refused connect, and a short ceiling notices its return within about that long.
   */
  maxDelayMs?: number;
}

/** What the next step is after a failed attempt. */
export type RetryDecision = { kind: 'retry'; delayMs: number } | { kind: 'give-up'; reason: 'permanent' | 'exhausted' };

/**
 * Pure: whether to try again after the `retry`-th failure (0-based) and how long to wait
 * first. Full jitter: uniform over [0, min(max, base · 2^retry)), so that many waiters do
 * not come back in step; clipped to the time left, so the last try lands on the bound.
 * @param random a number in [0, 1)
 */
export function decideRetry(input: { error: unknown; retry: number; elapsedMs: number; policy: RetryPolicy; random: number }): RetryDecision {
  if (!isTransientDatabaseError(input.error)) return { kind: 'give-up', reason: 'permanent' };
  const left = input.policy.budgetMs - input.elapsedMs;
  if (left <= 0) return { kind: 'give-up', reason: 'exhausted' };
  const base = input.policy.baseDelayMs ?? 200;
  const max = input.policy.maxDelayMs ?? 2_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(input.retry, 30));
  return { kind: 'retry', delayMs: Math.min(left, Math.floor(input.random * ceiling)) };
}

/** One retry about to happen, for logs and metrics. */
export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** Since the first failure. */
  elapsedMs: number;
  error: unknown;
}

/** The edges the retry loop needs; the system's when absent. */
export interface RetryEnvironment {
  clock?: Clock;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** [0, 1). */
  random?: () => number;
  /** Stops retrying (the run is stopping): the last error is given up on at once. */
  signal?: AbortSignal | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/**
 * Runs `work`, running it again after a transient database error (see
 * isTransientDatabaseError) with full-jitter backoff until `policy.budgetMs` has passed
 * since the first failure. `work` must be safe to repeat: one statement (one
 * transaction) or an idempotent upsert, since a lost reply may hide a commit.
 * @throws the error itself when it is permanent; DatabaseUnavailableError (its `cause`
 * the last failure) when the database stayed away for the whole budget or `signal`
 * aborted. That error is never retried again by an outer retry.
 */
export async function retryTransient<T>(work: () => Promise<T>, policy: RetryPolicy, env: RetryEnvironment = {}): Promise<T> {
  const clock = env.clock ?? systemClock;
  const wait = env.sleep ?? timerSleep;
  const random = env.random ?? Math.random;
  let firstFailureAt: number | undefined;
  for (let retry = 0; ; retry++) {
    try {
      return await work();
    } catch (error) {
      firstFailureAt ??= clock.now();
      const elapsedMs = clock.now() - firstFailureAt;
      const decision = env.signal?.aborted
        ? ({ kind: 'give-up', reason: isTransientDatabaseError(error) ? 'exhausted' : 'permanent' } as const)
        : decideRetry({ error, retry, elapsedMs, policy, random: random() });
      if (decision.kind === 'give-up') {
        if (decision.reason === 'permanent') throw error;
        throw giveUp(error, env.signal?.aborted ? 'stopped' : policy.budgetMs > 0 ? elapsedMs : undefined);
      }
      env.onRetry?.({ retry: retry + 1, delayMs: decision.delayMs, elapsedMs, error });
      try {
        await wait(decision.delayMs, env.signal);
      } catch {
        throw giveUp(error, 'stopped');
      }
    }
  }
}

/** @param retried how long it was retried; 'stopped' when a signal cut the retries short; undefined when retrying is off */
function giveUp(last: unknown, retried: number | 'stopped' | undefined): DatabaseUnavailableError {
  const reason = describe(last);
  const how =
    retried === 'stopped'
      ? 'stopped retrying: the run is stopping'
      : retried === undefined
        ? 'not retried'
        : `still unavailable after ${(retried / 1000).toFixed(1)} s of retries`;
  const error = new DatabaseUnavailableError(`the database became unavailable (${how}): ${reason}`, { cause: last });
  exhausted.add(error);
  return error;
}

/** Node reports a refused dual-stack connect as an AggregateError with an empty message. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  return (error as NodeJS.ErrnoException).code ?? error.name;
}
