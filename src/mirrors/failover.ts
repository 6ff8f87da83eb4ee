/** Limits of the failover for one symbol (config keys of the same names; defaults in config/options.ts). */
export interface RetryPolicy {
  /** Different mirrors tried per round. */
  mirrorsPerRound: number;
  maxRounds: number;
  /** Attempts per symbol, all rounds together. */
  maxAttempts: number;
  /** Backoff between rounds: full jitter over min(max, base · 2^(round−1)). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A longer Retry-After drops that mirror for the symbol instead of waiting for it. */
  retryAfterMaxMs: number;
  /** No attempt or wait reaches past this, counted from the symbol's first attempt. */
  symbolDeadlineMs: number;
}

/** How an attempt ended, as far as failover cares. */
export type AttemptOutcome =
  | { kind: 'ok' }
  | { kind: 'transient'; retryAfterMs?: number | undefined }
  /** The mirror will not serve this symbol (e.g. 404): never asked again for it. */
  | { kind: 'permanent' };

/** One finished attempt. */
export interface AttemptRecord {
  mirrorIndex: number;
  /** The round it belonged to, as given by the step that started it (1-based). */
  round: number;
  /** When it ended, on the same clock as `now` (Retry-After counts from here). */
  endedAt: number;
  outcome: AttemptOutcome;
}

/** Why a symbol is given up. */
export type GiveUpReason = 'max-attempts' | 'max-rounds' | 'deadline' | 'no-mirrors';

/**
 * What to do next. `wait` means: sleep `ms`, then try `mirrorIndex`. `candidates` are all
 * the mirrors the rules allow for that attempt, in rotation order: a scheduler may pick any
 * of them (the round still counts different mirrors); without one, `mirrorIndex` is used.
 */
export type NextStep =
  | { kind: 'try'; mirrorIndex: number; round: number; candidates: number[] }
  | { kind: 'wait'; ms: number; mirrorIndex: number; round: number; candidates: number[] }
  | { kind: 'give-up'; reason: GiveUpReason }
  | { kind: 'done' };

/** Everything {@link nextStep} decides on. */
export interface FailoverState {
  mirrorCount: number;
  /** The mirror this symbol starts at (see createRotation). */
  startIndex: number;
  history: readonly AttemptRecord[];
  /** When the symbol's first attempt started (a scheduler moves it on by the time spent queued). */
  startedAt: number;
  now: number;
  policy: RetryPolicy;
  /** [0, 1), for the backoff jitter. */
  random: () => number;
  /**
   * Per mirror, a time before which it may not be asked for reasons outside this symbol
   * (an open circuit). Such a mirror is skipped like one in Retry-After, and planned last
   * when the next round is planned.
   */
  blockedUntil?: readonly number[] | undefined;
  /** Mirrors not to be asked for this symbol at all (already heard, or found at fault by the batch). */
  excluded?: readonly number[] | undefined;
}

interface MirrorStanding {
  excluded: boolean;
  /** No attempt on this mirror before this time (Retry-After, or blocked from outside). */
  blockedUntil: number;
}

/**
 * Pure failover decision. Mirrors are taken in rotation order from `startIndex`; each
 * round tries up to `mirrorsPerRound` different ones, and the next round goes on from
 * where the last one stopped. A mirror that failed permanently, or asked for a Retry-After
 * longer than `retryAfterMaxMs`, is never tried again for the symbol; one that asked for
 * a shorter one is skipped until then. Between rounds the wait is full-jitter backoff, but
 * at least until one of the next round's mirrors may be asked again.
 */
export function nextStep(state: FailoverState): NextStep {
  const { mirrorCount, history, now, policy } = state;
  const last = history.at(-1);
  if (last?.outcome.kind === 'ok') return { kind: 'done' };
  if (mirrorCount <= 0) return { kind: 'give-up', reason: 'no-mirrors' };
  const deadline = state.startedAt + policy.symbolDeadlineMs;
  if (now >= deadline) return { kind: 'give-up', reason: 'deadline' };
  if (history.length >= policy.maxAttempts) return { kind: 'give-up', reason: 'max-attempts' };

  const standing = standings(history, mirrorCount, policy, state.blockedUntil);
  for (const m of state.excluded ?? []) if (standing[m] !== undefined) standing[m].excluded = true;
  const freeAt = (m: number, at: number): boolean => !standing[m]!.excluded && standing[m]!.blockedUntil <= at;
  // Rotation continues after the mirror tried last, in every round.
  const from = last === undefined ? mod(state.startIndex, mirrorCount) : last.mirrorIndex + 1;
  const round = last?.round ?? 1;
  const triedThisRound = new Set(history.filter((h) => h.round === round).map((h) => h.mirrorIndex));

  if (triedThisRound.size < policy.mirrorsPerRound) {
    const candidates = scan(from, mirrorCount).filter((m) => !triedThisRound.has(m) && freeAt(m, now));
    if (candidates.length > 0) return { kind: 'try', mirrorIndex: candidates[0]!, round, candidates };
  }

  // The round is over; or nothing was tried yet and every mirror is held back from outside, and round 1 waits.
  const nextRoundNumber = last === undefined ? 1 : round + 1;
  if (nextRoundNumber > policy.maxRounds) return { kind: 'give-up', reason: 'max-rounds' };
  const eligible = scan(from, mirrorCount).filter((m) => !standing[m]!.excluded);
  if (eligible.length === 0) return { kind: 'give-up', reason: 'no-mirrors' };
  const outside = (m: number): boolean => (state.blockedUntil?.[m] ?? -Infinity) > now;
  const nextRound = [...eligible.filter((m) => !outside(m)), ...eligible.filter(outside)].slice(0, policy.mirrorsPerRound);

  const backoff =
    last === undefined ? 0 : state.random() * Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (round - 1));
  const soonestFree = Math.min(...nextRound.map((m) => Math.max(0, standing[m]!.blockedUntil - now)));
  const ms = Math.max(backoff, soonestFree);
  if (now + ms >= deadline) return { kind: 'give-up', reason: 'deadline' };
  const first = nextRound.find((m) => freeAt(m, now + ms))!;
  const candidates = eligible.filter((m) => freeAt(m, now + ms));
  return { kind: 'wait', ms, mirrorIndex: first, round: nextRoundNumber, candidates };
}

function standings(
  history: readonly AttemptRecord[],
  mirrorCount: number,
  policy: RetryPolicy,
  external: readonly number[] | undefined,
): MirrorStanding[] {
  // Plain loops: this runs for every attempt of every symbol, mostly before V8 optimizes it.
  const result: MirrorStanding[] = [];
  for (let m = 0; m < mirrorCount; m++) result.push({ excluded: false, blockedUntil: -Infinity });
  for (const record of history) {
    const standing = result[record.mirrorIndex];
    if (standing === undefined) continue;
    const { outcome } = record;
    if (outcome.kind === 'permanent') standing.excluded = true;
    if (outcome.kind !== 'transient') continue;
    const retryAfterMs = outcome.retryAfterMs;
    if (retryAfterMs === undefined) standing.blockedUntil = -Infinity;
    else if (retryAfterMs > policy.retryAfterMaxMs) standing.excluded = true;
    else standing.blockedUntil = record.endedAt + retryAfterMs;
  }
  if (external !== undefined) {
    for (let m = 0; m < Math.min(external.length, mirrorCount); m++) {
      const standing = result[m]!;
      standing.blockedUntil = Math.max(standing.blockedUntil, external[m]!);
    }
  }
  return result;
}

/** Mirror indexes in rotation order beginning at `from`, each once. */
function scan(from: number, mirrorCount: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < mirrorCount; i++) order.push(mod(from + i, mirrorCount));
  return order;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

export { createRotation } from './rotation.js';
export type { Rotation } from './rotation.js';
