import { AllMirrorsDownError } from '../errors.js';
import { advance, canRequest, startRequest } from './circuit.js';
import type { Mirror } from './mirror-list.js';
import { createMirrorSlot, recordResult, slotStats } from './mirror-slot.js';
import type { LeaseResult, MirrorSlot, MirrorStats } from './mirror-slot.js';
import { circuitOptionsOf } from './scheduler-options.js';
import type { SchedulerOptions } from './scheduler-options.js';

export type { LeaseResult, MirrorStats } from './mirror-slot.js';

/** The right to send one request to one mirror; see {@link FetchScheduler.acquire}. */
export interface MirrorLease {
  readonly mirrorIndex: number;
  /** This request is the half-open circuit's trial: its outcome decides the circuit. */
  readonly trial: boolean;
  /** Frees the slot once the response is read (decoding needs none). Idempotent. */
  release(): void;
  /** Records the outcome, releasing first if that was not done. Only the first call counts. */
  report(result: LeaseResult): void;
}

/** What fetchSymbol needs of the scheduler. */
export interface FetchScheduler {
  /** Whether some mirror would take a request now (closed, or half-open with its trial free). */
  anyAvailable(): boolean;
  /** Per mirror, milliseconds until its circuit lets a request through (0: now, or after the trial out). */
  blockedForMs(): number[];
  /**
   * Waits, first come first served, for a global slot and a slot at one of `candidates`
   * whose circuit allows a request and whose spacing gap has passed; of those, the least
   * loaded is taken (fewest in flight, then a closed circuit before a half-open trial, then
   * longest idle, then the candidates' order).
   * Resolves undefined when every candidate's circuit is open (plan again); rejects with
   * `signal.reason` on abort and with {@link AllMirrorsDownError} once the patience is spent.
   */
  acquire(candidates: readonly number[], signal?: AbortSignal): Promise<MirrorLease | undefined>;
  /** Resolves once some mirror is available; rejects with AllMirrorsDownError after the patience. */
  waitForAnyMirror(signal?: AbortSignal): Promise<void>;
}

/** The bounded, polite request pool over all mirrors, with a circuit breaker per mirror. */
export interface MirrorScheduler extends FetchScheduler {
  readonly mirrors: readonly Mirror[];
  /** Counts per mirror name. */
  stats(): Record<string, MirrorStats>;
}

/** The scheduler's clock and randomness. */
export interface SchedulerDeps {
  /** Monotonic milliseconds (performance.now); timers are real, so it must be real time. */
  now: () => number;
  /** [0, 1), for the spacing jitter. */
  random: () => number;
  /**
   * Told when the last closed circuit opens (`down`, with the patience left) and when one
   * closes again (`recovered`): the long silent wait of an outage deserves a log line.
   */
  onOutage?: (event: { state: 'down'; patienceMs: number } | { state: 'recovered'; downForMs: number }) => void;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  /** Slot waiters only: the mirrors it may be given. */
  candidates: readonly number[];
}

/**
 * Creates the scheduler. Waiting is driven by releases and by one timer set for the next
 * moment something changes by itself (a spacing gap or a cool-down ending, the patience
 * running out); no timer is left once nobody waits, so the process exits on its own.
 * The outage clock starts when the last closed circuit opens and stops when one closes.
 */
export function createMirrorScheduler(mirrors: readonly Mirror[], options: SchedulerOptions, deps: SchedulerDeps): MirrorScheduler {
  validate(mirrors, options);
  const circuitOptions = circuitOptionsOf(options);
  const slots: MirrorSlot[] = mirrors.map((mirror) => createMirrorSlot(mirror, circuitOptions));
  const waiters: Array<Waiter<MirrorLease | undefined>> = [];
  const downWaiters: Array<Waiter<void>> = [];
  // Per mirror, how many slot waiters could take it: the timer only cares about those.
  const demand = slots.map(() => 0);
  // A circuit opened since the waiters were last checked for one to turn away.
  let recheck = false;
  let inFlight = 0;
  let outageSince: number | undefined;
  let failure: AllMirrorsDownError | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;

  const isOpen = (index: number, now: number): boolean => advance(slots[index]!.circuit, now).state === 'open';
  const ready = (slot: MirrorSlot, now: number): boolean =>
    slot.inFlight < options.perMirror && slot.nextStartAt <= now && canRequest(slot.circuit, now);
  const canGrant = (now: number): boolean => inFlight < options.concurrency && slots.some((s) => ready(s, now));

  function noteOutage(at: number): void {
    const down = !slots.some((s) => s.circuit.state === 'closed');
    if (down && outageSince === undefined) {
      outageSince = at;
      deps.onOutage?.({ state: 'down', patienceMs: options.allDownPatienceMs });
    } else if (!down && outageSince !== undefined) {
      deps.onOutage?.({ state: 'recovered', downForMs: at - outageSince });
      outageSince = undefined;
    }
  }

  function checkPatience(now: number): void {
    if (failure !== undefined || outageSince === undefined) return;
    // A trial already out may still end the outage: let it decide.
    if (now - outageSince < options.allDownPatienceMs || slots.some((s) => s.circuit.trialInFlight)) return;
    const downForMs = now - outageSince;
    failure = new AllMirrorsDownError(downForMs, `no mirror recovered within ${Math.round(downForMs / 1000)} s of all ${slots.length} circuits opening`);
  }

  function bestReady(candidates: readonly number[], now: number): number | undefined {
    let best: { index: number; key: [number, number, number] } | undefined;
    for (const index of candidates) {
      const slot = slots[index]!;
      if (!ready(slot, now)) continue;
      // Fewest in flight; then a closed circuit before a trial (one is made when load needs it); then longest idle.
      const key: [number, number, number] = [slot.inFlight, slot.circuit.state === 'closed' ? 0 : 1, slot.lastStartAt];
      if (best === undefined || lexicallyLess(key, best.key)) best = { index, key };
    }
    return best?.index;
  }

  function grant(index: number, now: number): MirrorLease {
    const slot = slots[index]!;
    const started = startRequest(slot.circuit, now);
    slot.circuit = started.circuit;
    slot.inFlight += 1;
    inFlight += 1;
    slot.requests += 1;
    slot.lastStartAt = now;
    slot.nextStartAt = now + options.spacingMs * (0.5 + deps.random());
    let released = false;
    let reported = false;
    const free = (): void => {
      if (released) return;
      released = true;
      slot.inFlight -= 1;
      inFlight -= 1;
    };
    return {
      mirrorIndex: index,
      trial: started.trial,
      release() {
        free();
        pump();
      },
      report(result) {
        if (reported) return;
        reported = true;
        free();
        const at = deps.now();
        recordResult(slot, result, started.trial, at, options.retryAfterMaxMs, circuitOptions);
        if (slot.circuit.state === 'open') recheck = true;
        noteOutage(at);
        pump();
      },
    };
  }

  function take<T>(list: Array<Waiter<T>>, at: number): Waiter<T> {
    const [waiter] = list.splice(at, 1);
    waiter!.signal?.removeEventListener('abort', waiter!.onAbort);
    for (const index of waiter!.candidates) demand[index]! -= 1;
    return waiter!;
  }


  function pump(): void {
    const now = deps.now();
    checkPatience(now);
    if (failure !== undefined) {
      while (waiters.length > 0) take(waiters, 0).reject(failure);
      while (downWaiters.length > 0) take(downWaiters, 0).reject(failure);
    }
    if (downWaiters.length > 0 && slots.some((s) => canRequest(s.circuit, now))) {
      while (downWaiters.length > 0) take(downWaiters, 0).resolve();
    }
    // Scanning the queue is skipped when nothing can be granted and no one is to be turned away.
    let granting = canGrant(now);
    for (let i = 0; i < waiters.length && (granting || recheck); ) {
      const waiter = waiters[i]!;
      if (recheck && waiter.candidates.every((index) => isOpen(index, now))) {
        take(waiters, i).resolve(undefined);
        continue;
      }
      const index = granting ? bestReady(waiter.candidates, now) : undefined;
      if (index === undefined) {
        i += 1;
        continue;
      }
      take(waiters, i).resolve(grant(index, now));
      granting = canGrant(now);
    }
    recheck = false;
    arm(now);
  }

  /** Sets the one timer for the earliest moment a waiter's prospects change by themselves. */
  function arm(now: number): void {
    let wakeAt = Infinity;
    if (waiters.length > 0 || downWaiters.length > 0) {
      slots.forEach((slot, index) => {
        const circuit = advance(slot.circuit, now);
        if (circuit.state === 'open') {
          wakeAt = Math.min(wakeAt, circuit.openUntil);
        } else if (demand[index]! > 0 && inFlight < options.concurrency && slot.inFlight < options.perMirror && slot.nextStartAt > now) {
          wakeAt = Math.min(wakeAt, slot.nextStartAt);
        }
      });
      if (outageSince !== undefined) wakeAt = Math.min(wakeAt, outageSince + options.allDownPatienceMs);
    }
    if (wakeAt === timerAt) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerAt = wakeAt;
    if (wakeAt === Infinity) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        pump();
      },
      // Beyond 2^31−1 ms Node fires at once; a far Retry-After just wakes once and re-arms.
      Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(wakeAt - now))),
    );
  }

  function enqueue<T>(list: Array<Waiter<T>>, candidates: readonly number[], signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, signal, candidates, onAbort: () => {} };
      waiter.onAbort = () => {
        const at = list.indexOf(waiter);
        if (at >= 0) take(list, at);
        reject(signal?.reason);
        arm(deps.now());
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      for (const index of candidates) demand[index]! += 1;
      list.push(waiter);
      pump();
    });
  }

  return {
    mirrors,
    anyAvailable() {
      const now = deps.now();
      checkPatience(now);
      return failure === undefined && slots.some((s) => canRequest(s.circuit, now));
    },
    blockedForMs() {
      const now = deps.now();
      return slots.map((s) => {
        const circuit = advance(s.circuit, now);
        return circuit.state === 'open' ? circuit.openUntil - now : 0;
      });
    },
    acquire(candidates, signal) {
      const known = candidates.filter((index) => slots[index] !== undefined);
      // Turned away at once rather than queued: every circuit it could use is open.
      if (failure === undefined && !signal?.aborted && known.every((index) => isOpen(index, deps.now()))) return Promise.resolve(undefined);
      return enqueue(waiters, known, signal);
    },
    waitForAnyMirror: (signal) => enqueue(downWaiters, [], signal),
    stats() {
      const now = deps.now();
      return Object.fromEntries(slots.map((s) => [s.mirror.name, slotStats(s, now)]));
    },
  };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function lexicallyLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function validate(mirrors: readonly Mirror[], options: SchedulerOptions): void {
  if (mirrors.length === 0) throw new RangeError('the scheduler needs at least one mirror');
  for (const key of ['concurrency', 'perMirror', 'circuitFailures', 'circuitWindow'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
  }
  if (!(options.circuitRatio > 0 && options.circuitRatio <= 1)) throw new RangeError(`circuitRatio must be in (0, 1], got ${options.circuitRatio}`);
}
