import { AllMirrorsDownError } from '../errors.js';
import type { CircuitOptions } from './circuit.js';
import { advance, canRequest, recordOutcome, startRequest } from './circuit.js';
import { SlotLease, type LeaseOwner, type MirrorLease } from './mirror-lease.js';
import type { Mirror } from './mirror-list.js';
import { createMirrorSlot, recordResult, slotStats } from './mirror-slot.js';
import type { LeaseResult, MirrorSlot, MirrorStats } from './mirror-slot.js';
import { circuitOptionsOf } from './scheduler-options.js';
import type { SchedulerOptions } from './scheduler-options.js';
import { bestReadySlot, isReady, nextWakeAt, type WakeInput } from './slot-readiness.js';
import { WaitQueue } from './wait-queue.js';

export type { LeaseResult, MirrorStats } from './mirror-slot.js';
export type { MirrorLease } from './mirror-lease.js';

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
  /**
   * A fault found only after the request was booked as a success: an empty answer for a
   * symbol another mirror has, or bars differing from what other mirrors confirmed. It
   * counts against the mirror's circuit like a failed request (a mirror serving wrong
   * data is as unfit as one that does not answer). An unknown name is ignored.
   */
  charge(mirrorName: string): void;
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

/**
 * Creates the scheduler. Waiting is driven by releases and by one timer set for the next
 * moment something changes by itself (a spacing gap or a cool-down ending, the patience
 * running out); no timer is left once nobody waits, so the process exits on its own.
 * The outage clock starts when the last closed circuit opens and stops when one closes.
 */
export function createMirrorScheduler(mirrors: readonly Mirror[], options: SchedulerOptions, deps: SchedulerDeps): MirrorScheduler {
  validate(mirrors, options);
  return new PooledScheduler(mirrors, options, deps);
}

const MAX_TIMER_MS = 2 ** 31 - 1;

class PooledScheduler implements MirrorScheduler {
  private readonly circuitOptions: CircuitOptions;
  private readonly slots: MirrorSlot[];
  private readonly waiters: WaitQueue<MirrorLease | undefined>;
  private readonly downWaiters: WaitQueue<void>;
  // A circuit opened since the waiters were last checked for one to turn away.
  private recheck = false;
  private inFlight = 0;
  private outageSince: number | undefined;
  private failure: AllMirrorsDownError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  // What the leases granted here call back.
  private readonly owner: LeaseOwner = {
    free: (index) => this.free(index),
    pump: () => this.pump(),
    record: (index, trial, result) => this.record(index, trial, result),
  };

  constructor(
    readonly mirrors: readonly Mirror[],
    private readonly options: SchedulerOptions,
    private readonly deps: SchedulerDeps,
  ) {
    this.circuitOptions = circuitOptionsOf(options);
    this.slots = mirrors.map((mirror) => createMirrorSlot(mirror, this.circuitOptions));
    const abandoned = (): void => this.arm(this.deps.now());
    this.waiters = new WaitQueue(this.slots.length, abandoned);
    this.downWaiters = new WaitQueue(this.slots.length, abandoned);
  }

  anyAvailable(): boolean {
    const now = this.deps.now();
    this.checkPatience(now);
    return this.failure === undefined && this.slots.some((s) => canRequest(s.circuit, now));
  }

  blockedForMs(): number[] {
    const now = this.deps.now();
    return this.slots.map((s) => {
      const circuit = advance(s.circuit, now);
      return circuit.state === 'open' ? circuit.openUntil - now : 0;
    });
  }

  acquire(candidates: readonly number[], signal?: AbortSignal): Promise<MirrorLease | undefined> {
    const known = candidates.filter((index) => this.slots[index] !== undefined);
    // Turned away at once rather than queued: every circuit it could use is open.
    if (this.failure === undefined && !signal?.aborted && known.every((index) => this.isOpen(index, this.deps.now()))) {
      return Promise.resolve(undefined);
    }
    return this.enqueue(this.waiters, known, signal);
  }

  waitForAnyMirror(signal?: AbortSignal): Promise<void> {
    return this.enqueue(this.downWaiters, [], signal);
  }

  stats(): Record<string, MirrorStats> {
    const now = this.deps.now();
    return Object.fromEntries(this.slots.map((s) => [s.mirror.name, slotStats(s, now)]));
  }

  charge(mirrorName: string): void {
    const slot = this.slots.find((each) => each.mirror.name === mirrorName);
    if (slot === undefined) return;
    const at = this.deps.now();
    slot.circuit = recordOutcome(slot.circuit, at, { verdict: 'failure', trial: false }, this.circuitOptions);
    if (slot.circuit.state === 'open') this.recheck = true;
    this.noteOutage(at);
    this.pump();
  }

  private free(mirrorIndex: number): void {
    this.slots[mirrorIndex]!.inFlight -= 1;
    this.inFlight -= 1;
  }

  private record(mirrorIndex: number, trial: boolean, result: LeaseResult): void {
    const slot = this.slots[mirrorIndex]!;
    const at = this.deps.now();
    recordResult(slot, result, trial, at, this.options.retryAfterMaxMs, this.circuitOptions);
    if (slot.circuit.state === 'open') this.recheck = true;
    this.noteOutage(at);
    this.pump();
  }

  /** Settles whoever can be settled now, then sets the timer for the next change. */
  private pump(): void {
    const now = this.deps.now();
    this.checkPatience(now);
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.waiters.drain((waiter) => waiter.reject(failure));
      this.downWaiters.drain((waiter) => waiter.reject(failure));
    }
    if (this.downWaiters.length > 0 && this.slots.some((s) => canRequest(s.circuit, now))) {
      this.downWaiters.drain((waiter) => waiter.resolve());
    }
    this.serveWaiters(now);
    this.recheck = false;
    this.arm(now);
  }

  /** Grants slots in queue order; after a circuit opened, turns away those left with none. */
  private serveWaiters(now: number): void {
    // Scanning the queue is skipped when nothing can be granted and no one is to be turned away.
    let granting = this.canGrant(now);
    for (let i = 0; i < this.waiters.length && (granting || this.recheck); ) {
      const { candidates } = this.waiters.at(i);
      if (this.recheck && candidates.every((index) => this.isOpen(index, now))) {
        this.waiters.take(i).resolve(undefined);
        continue;
      }
      const index = granting ? bestReadySlot(this.slots, candidates, now, this.options.perMirror) : undefined;
      if (index === undefined) {
        i += 1;
        continue;
      }
      this.waiters.take(i).resolve(this.grant(index, now));
      granting = this.canGrant(now);
    }
  }

  private grant(index: number, now: number): MirrorLease {
    const slot = this.slots[index]!;
    const started = startRequest(slot.circuit, now);
    slot.circuit = started.circuit;
    slot.inFlight += 1;
    this.inFlight += 1;
    slot.requests += 1;
    slot.lastStartAt = now;
    slot.nextStartAt = now + this.options.spacingMs * (0.5 + this.deps.random());
    return new SlotLease(index, started.trial, this.owner);
  }

  private enqueue<T>(queue: WaitQueue<T>, candidates: readonly number[], signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const waiting = queue.add(candidates, signal);
    this.pump();
    return waiting;
  }

  private isOpen(index: number, now: number): boolean {
    return advance(this.slots[index]!.circuit, now).state === 'open';
  }

  private canGrant(now: number): boolean {
    return this.inFlight < this.options.concurrency && this.slots.some((s) => isReady(s, now, this.options.perMirror));
  }

  private noteOutage(at: number): void {
    const down = !this.slots.some((s) => s.circuit.state === 'closed');
    if (down && this.outageSince === undefined) {
      this.outageSince = at;
      this.deps.onOutage?.({ state: 'down', patienceMs: this.options.allDownPatienceMs });
    } else if (!down && this.outageSince !== undefined) {
      this.deps.onOutage?.({ state: 'recovered', downForMs: at - this.outageSince });
      this.outageSince = undefined;
    }
  }

  private checkPatience(now: number): void {
    if (this.failure !== undefined || this.outageSince === undefined) return;
    // A trial already out may still end the outage: let it decide.
    if (now - this.outageSince < this.options.allDownPatienceMs || this.slots.some((s) => s.circuit.trialInFlight)) return;
    const downForMs = now - this.outageSince;
    this.failure = new AllMirrorsDownError(
      downForMs,
      `no mirror recovered within ${Math.round(downForMs / 1000)} s of all ${this.slots.length} circuits opening`,
    );
  }

  /** Sets the one timer for the earliest moment a waiter's prospects change by themselves. */
  private arm(now: number): void {
    const waiting = this.waiters.length > 0 || this.downWaiters.length > 0;
    const wakeAt = waiting ? nextWakeAt(this.wakeInput(), now) : Infinity;
    if (wakeAt === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = wakeAt;
    if (wakeAt === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      // Beyond 2^31−1 ms Node fires at once; a far Retry-After just wakes once and re-arms.
      Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(wakeAt - now))),
    );
  }

  private wakeInput(): WakeInput {
    const { concurrency, perMirror, allDownPatienceMs } = this.options;
    const patienceEndsAt = this.outageSince === undefined ? undefined : this.outageSince + allDownPatienceMs;
    return { slots: this.slots, demand: this.waiters.demand, inFlight: this.inFlight, concurrency, perMirror, patienceEndsAt };
  }
}

function validate(mirrors: readonly Mirror[], options: SchedulerOptions): void {
  if (mirrors.length === 0) throw new RangeError('the scheduler needs at least one mirror');
  for (const key of ['concurrency', 'perMirror', 'circuitFailures', 'circuitWindow'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
  }
  if (!(options.circuitRatio > 0 && options.circuitRatio <= 1)) throw new RangeError(`circuitRatio must be in (0, 1], got ${options.circuitRatio}`);
}
