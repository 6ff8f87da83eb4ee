import { nextStep } from '../../src/mirrors/failover.js';
import type { AttemptOutcome, AttemptRecord, NextStep, RetryPolicy } from '../../src/mirrors/failover.js';
import { DEFAULT_RETRY_POLICY } from '../support/defaults.js';

export const transient: AttemptOutcome = { kind: 'transient' };
export const permanent: AttemptOutcome = { kind: 'permanent' };
export const ok: AttemptOutcome = { kind: 'ok' };

export interface Simulation {
  steps: NextStep[];
  history: AttemptRecord[];
  tried: number[];
  rounds: number[];
  waits: number[];
  /** When each attempt started. */
  startedAt: number[];
  end: NextStep;
}

/** Drives nextStep like fetchSymbol does, with a fake clock: every attempt takes `attemptMs`. */
export function simulate(options: {
  mirrorCount: number;
  startIndex?: number;
  policy?: Partial<RetryPolicy>;
  outcome: (mirrorIndex: number, attemptNumber: number) => AttemptOutcome;
  random?: () => number;
  attemptMs?: number;
  /** Held back from outside (open circuits), as fetchSymbol passes a scheduler's view. */
  blockedUntil?: readonly number[];
}): Simulation {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const random = options.random ?? (() => 1);
  const attemptMs = options.attemptMs ?? 10;
  const history: AttemptRecord[] = [];
  const steps: NextStep[] = [];
  const waits: number[] = [];
  const startedAt: number[] = [];
  let now = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const step = nextStep({
      mirrorCount: options.mirrorCount,
      startIndex: options.startIndex ?? 0,
      history,
      startedAt: 0,
      now,
      policy,
      random,
      blockedUntil: options.blockedUntil,
    });
    steps.push(step);
    if (step.kind === 'give-up' || step.kind === 'done') {
      return {
        steps,
        history,
        tried: history.map((h) => h.mirrorIndex),
        rounds: history.map((h) => h.round),
        waits,
        startedAt,
        end: step,
      };
    }
    if (step.kind === 'wait') {
      waits.push(step.ms);
      now += step.ms;
    }
    startedAt.push(now);
    now += attemptMs;
    history.push({
      mirrorIndex: step.mirrorIndex,
      round: step.round,
      endedAt: now,
      outcome: options.outcome(step.mirrorIndex, history.length + 1),
    });
  }
  throw new Error('nextStep never ended');
}

