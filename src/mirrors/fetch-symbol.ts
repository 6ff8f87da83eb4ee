import { CrawlerError, FormatError, MirrorError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { createAbortScope } from './abort-scope.js';
import type { DjbcdQuery } from './djbcd-url.js';
import { nextStep } from './failover.js';
import type { AttemptOutcome, AttemptRecord, GiveUpReason, RetryPolicy } from './failover.js';
import type { MirrorClient, MirrorResponse } from './mirror-client.js';
import type { Mirror } from './mirror-list.js';

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
}

type AttemptResult<T> =
  | { ok: true; value: T; attempt: Attempt }
  | { ok: false; outcome: AttemptOutcome; attempt: Attempt; deadlinePassed: boolean };

/**
 * Fetches and decodes one symbol, failing over between mirrors as {@link nextStep} decides.
 * Mirror failures never throw: they end in `{ ok: false, attempts }`. Only the caller's
 * abort (its reason) and errors that are not mirror failures (bugs) propagate.
 */
export async function fetchSymbol<T>(symbol: string, deps: FetchSymbolDeps<T>): Promise<FetchOutcome<T>> {
  const { mirrors, policy, now } = deps;
  const startedAt = now();
  const history: AttemptRecord[] = [];
  const attempts: Attempt[] = [];
  for (;;) {
    deps.signal?.throwIfAborted();
    const step = nextStep({
      mirrorCount: mirrors.length,
      startIndex: deps.startIndex,
      history,
      startedAt,
      now: now(),
      policy,
      random: deps.random,
    });
    if (step.kind === 'give-up') return failure(symbol, step.reason, attempts);
    if (step.kind === 'done') throw new CrawlerError('E_INTERNAL', 'failover asked to go on after a success');
    if (step.kind === 'wait' && step.ms > 0) await deps.sleep(step.ms, deps.signal);

    const mirror = mirrors[step.mirrorIndex]!;
    const remainingMs = startedAt + policy.symbolDeadlineMs - now();
    const result = await attemptOnce(symbol, mirror, deps, remainingMs);
    attempts.push(result.attempt);
    deps.onAttempt?.(result.attempt);
    if (result.ok) return { ok: true, broker: mirror.name, value: result.value, attempts };
    history.push({ mirrorIndex: step.mirrorIndex, round: step.round, endedAt: now(), outcome: result.outcome });
    if (result.deadlinePassed) return failure(symbol, 'deadline', attempts);
  }
}

async function attemptOnce<T>(
  symbol: string,
  mirror: Mirror,
  deps: FetchSymbolDeps<T>,
  remainingMs: number,
): Promise<AttemptResult<T>> {
  const began = deps.now();
  // The symbol's deadline cuts an attempt short too; the client reports it as its caller's abort.
  const scope = createAbortScope(
    deps.signal,
    remainingMs,
    () => new MirrorError('E_MIRROR_TIMEOUT', mirror.name, `${symbol}: the symbol's deadline passed`, { transient: true }),
  );
  let status: number | undefined;
  try {
    const response = await deps.client.get(mirror, symbol, deps.query, scope.signal);
    status = response.status;
    const value = await deps.decode(response);
    return { ok: true, value, attempt: { broker: mirror.name, status, ms: deps.now() - began } };
  } catch (error) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    const ms = deps.now() - began;
    if (error instanceof FormatError) {
      const detail = `${error.reason}: ${error.excerpt}`;
      const attempt: Attempt = { broker: mirror.name, status: status ?? 'E_FORMAT', ms, code: 'E_FORMAT', detail };
      return { ok: false, outcome: { kind: 'transient' }, attempt, deadlinePassed: false };
    }
    if (error instanceof MirrorError) {
      const attempt: Attempt = { broker: mirror.name, status: error.status ?? error.code, ms, code: error.code, detail: error.message };
      if (error.retryAfterMs !== undefined) attempt.retryAfterMs = error.retryAfterMs;
      const outcome: AttemptOutcome = error.transient
        ? { kind: 'transient', retryAfterMs: error.retryAfterMs }
        : { kind: 'permanent' };
      return { ok: false, outcome, attempt, deadlinePassed: scope.timedOut() };
    }
    throw error;
  } finally {
    scope.dispose();
  }
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
