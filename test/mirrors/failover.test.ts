import { describe, expect, it } from 'vitest';
import { nextStep } from '../../src/mirrors/failover.js';
import type { AttemptOutcome } from '../../src/mirrors/failover.js';
import { DEFAULT_RETRY_POLICY } from '../support/defaults.js';
import { seeded } from '../support/seeded-random.js';
import { ok, permanent, simulate, transient } from './failover-simulation.js';

describe('nextStep: rounds and caps', () => {
  it('starts at the start index in round 1', () => {
    const step = nextStep({
      mirrorCount: 8,
      startIndex: 5,
      history: [],
      startedAt: 0,
      now: 0,
      policy: DEFAULT_RETRY_POLICY,
      random: () => 0,
    });
    expect(step).toEqual({ kind: 'try', mirrorIndex: 5, round: 1, candidates: [5, 6, 7, 0, 1, 2, 3, 4] });
  });

  it('with 8 mirrors, goes on through the rotation round after round and stops at 8 attempts', () => {
    const run = simulate({ mirrorCount: 8, outcome: () => transient });
    expect(run.tried).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(run.rounds).toEqual([1, 1, 1, 2, 2, 2, 3, 3]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'max-attempts' });
  });

  it('wraps around from a late start index', () => {
    const run = simulate({ mirrorCount: 8, startIndex: 6, outcome: () => transient });
    expect(run.tried).toEqual([6, 7, 0, 1, 2, 3, 4, 5]);
  });

  it('normalises a start index outside the list', () => {
    expect(simulate({ mirrorCount: 3, startIndex: 7, outcome: () => ok }).tried).toEqual([1]);
    expect(simulate({ mirrorCount: 3, startIndex: -1, outcome: () => ok }).tried).toEqual([2]);
  });

  it('with 3 mirrors, tries all three per round and caps at 8 attempts', () => {
    const run = simulate({ mirrorCount: 3, outcome: () => transient });
    expect(run.tried).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(run.rounds).toEqual([1, 1, 1, 2, 2, 2, 3, 3]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'max-attempts' });
  });

  it('with 2 mirrors or 1, stops after 3 rounds', () => {
    const two = simulate({ mirrorCount: 2, startIndex: 1, outcome: () => transient });
    expect(two.tried).toEqual([1, 0, 1, 0, 1, 0]);
    expect(two.end).toEqual({ kind: 'give-up', reason: 'max-rounds' });
    const one = simulate({ mirrorCount: 1, outcome: () => transient });
    expect(one.tried).toEqual([0, 0, 0]);
    expect(one.rounds).toEqual([1, 2, 3]);
    expect(one.end).toEqual({ kind: 'give-up', reason: 'max-rounds' });
  });

  it('honours other caps from the policy', () => {
    const run = simulate({ mirrorCount: 8, policy: { mirrorsPerRound: 2, maxRounds: 2, maxAttempts: 20 }, outcome: () => transient });
    expect(run.tried).toEqual([0, 1, 2, 3]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'max-rounds' });
  });

  it('is done after a success and waits not at all before the second mirror', () => {
    const run = simulate({ mirrorCount: 8, startIndex: 2, outcome: (m) => (m === 3 ? ok : transient) });
    expect(run.tried).toEqual([2, 3]);
    expect(run.waits).toEqual([]);
    expect(run.end).toEqual({ kind: 'done' });
  });

  it('gives up at once without mirrors', () => {
    expect(simulate({ mirrorCount: 0, outcome: () => ok }).end).toEqual({ kind: 'give-up', reason: 'no-mirrors' });
  });
});

describe('nextStep: permanent failures', () => {
  it('never asks a mirror again after a permanent failure', () => {
    const run = simulate({ mirrorCount: 3, outcome: (m) => (m === 1 ? permanent : transient) });
    expect(run.tried).toEqual([0, 1, 2, 0, 2, 0, 2]);
    expect(run.tried.filter((m) => m === 1)).toHaveLength(1);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'max-rounds' });
  });

  it('gives up when every mirror failed permanently', () => {
    const run = simulate({ mirrorCount: 3, outcome: () => permanent });
    expect(run.tried).toEqual([0, 1, 2]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'no-mirrors' });
  });
});

describe('nextStep: excluded mirrors', () => {
  const base = { mirrorCount: 4, history: [], startedAt: 0, now: 0, policy: DEFAULT_RETRY_POLICY, random: () => 0 };

  it('never offers an excluded mirror, even where the rotation starts', () => {
    expect(nextStep({ ...base, startIndex: 1, excluded: [1, 2] })).toEqual({ kind: 'try', mirrorIndex: 3, round: 1, candidates: [3, 0] });
  });

  it('gives up when every mirror is excluded', () => {
    expect(nextStep({ ...base, startIndex: 0, excluded: [0, 1, 2, 3] })).toEqual({ kind: 'give-up', reason: 'no-mirrors' });
  });
});

describe('nextStep: backoff', () => {
  it('waits full-jitter backoff between rounds, doubling from the base', () => {
    expect(simulate({ mirrorCount: 3, outcome: () => transient, random: () => 1 }).waits).toEqual([1000, 2000]);
    expect(simulate({ mirrorCount: 3, outcome: () => transient, random: () => 0.25 }).waits).toEqual([250, 500]);
    expect(simulate({ mirrorCount: 3, outcome: () => transient, random: () => 0 }).waits).toEqual([0, 0]);
  });

  it('caps the backoff at backoffMaxMs', () => {
    const run = simulate({
      mirrorCount: 1,
      policy: { maxRounds: 9, maxAttempts: 9, symbolDeadlineMs: 1e9 },
      outcome: () => transient,
    });
    expect(run.waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('gives up rather than wait past the deadline', () => {
    const run = simulate({ mirrorCount: 1, policy: { symbolDeadlineMs: 1200 }, attemptMs: 400, outcome: () => transient });
    expect(run.tried).toEqual([0]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'deadline' });
  });

  it('starts no attempt once the deadline has passed', () => {
    const run = simulate({ mirrorCount: 8, policy: { symbolDeadlineMs: 1000 }, attemptMs: 400, outcome: () => transient });
    expect(run.tried).toEqual([0, 1, 2]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'deadline' });
  });
});

describe('nextStep: Retry-After', () => {
  it('waits for a lone mirror’s Retry-After when it is longer than the backoff', () => {
    const run = simulate({
      mirrorCount: 1,
      random: () => 0.5,
      outcome: () => ({ kind: 'transient', retryAfterMs: 7000 }),
    });
    // The first attempt ended at 10 ms: the next may start at 7010 ms, not before.
    expect(run.waits[0]).toBe(7000);
    expect(run.startedAt[1]).toBe(7010);
  });

  it('moves on to other mirrors instead of waiting, and returns only when the time is up', () => {
    const retryAfterOnFirst = (m: number, n: number): AttemptOutcome =>
      m === 0 && n === 1 ? { kind: 'transient', retryAfterMs: 5000 } : transient;
    const short = simulate({ mirrorCount: 3, outcome: retryAfterOnFirst });
    // Mirror 0 is still blocked when rounds 2 and 3 begin (at 1030 and 3050 ms).
    expect(short.tried).toEqual([0, 1, 2, 1, 2, 1, 2]);
    const long = simulate({ mirrorCount: 3, policy: { backoffBaseMs: 3000 }, outcome: retryAfterOnFirst });
    expect(long.tried).toEqual([0, 1, 2, 1, 2, 0, 1, 2]);
    expect(long.startedAt[5]).toBeGreaterThanOrEqual(long.history[0]!.endedAt + 5000);
  });

  it('drops a mirror for the symbol when its Retry-After exceeds the cap', () => {
    const run = simulate({ mirrorCount: 1, outcome: () => ({ kind: 'transient', retryAfterMs: 61_000 }) });
    expect(run.tried).toEqual([0]);
    expect(run.end).toEqual({ kind: 'give-up', reason: 'no-mirrors' });
  });

  it('gives up when the Retry-After would end past the deadline', () => {
    const run = simulate({
      mirrorCount: 1,
      policy: { symbolDeadlineMs: 30_000 },
      outcome: () => ({ kind: 'transient', retryAfterMs: 40_000 }),
    });
    expect(run.end).toEqual({ kind: 'give-up', reason: 'deadline' });
  });

  it('waits for the first of the next round’s mirrors to be free, and starts with that one', () => {
    const step = nextStep({
      mirrorCount: 3,
      startIndex: 0,
      history: [
        { mirrorIndex: 0, round: 1, endedAt: 10, outcome: { kind: 'transient', retryAfterMs: 5000 } },
        { mirrorIndex: 1, round: 1, endedAt: 20, outcome: { kind: 'transient', retryAfterMs: 1000 } },
        { mirrorIndex: 2, round: 1, endedAt: 30, outcome: { kind: 'transient', retryAfterMs: 8000 } },
      ],
      startedAt: 0,
      now: 30,
      policy: DEFAULT_RETRY_POLICY,
      random: () => 0,
    });
    expect(step).toEqual({ kind: 'wait', ms: 990, mirrorIndex: 1, round: 2, candidates: [1] });
  });

  it('skips a blocked mirror within a round', () => {
    const step = nextStep({
      mirrorCount: 3,
      startIndex: 2,
      history: [{ mirrorIndex: 2, round: 1, endedAt: 10, outcome: transient }],
      startedAt: 0,
      now: 10,
      policy: DEFAULT_RETRY_POLICY,
      random: () => 0,
    });
    expect(step).toEqual({ kind: 'try', mirrorIndex: 0, round: 1, candidates: [0, 1] });
    const blocked = nextStep({
      mirrorCount: 3,
      startIndex: 0,
      history: [
        { mirrorIndex: 0, round: 1, endedAt: 10, outcome: transient },
        { mirrorIndex: 1, round: 1, endedAt: 20, outcome: { kind: 'transient', retryAfterMs: 5000 } },
        { mirrorIndex: 2, round: 1, endedAt: 30, outcome: transient },
        { mirrorIndex: 0, round: 2, endedAt: 40, outcome: transient },
      ],
      startedAt: 0,
      now: 40,
      policy: DEFAULT_RETRY_POLICY,
      random: () => 0,
    });
    expect(blocked).toEqual({ kind: 'try', mirrorIndex: 2, round: 2, candidates: [2] });
  });
});

describe('nextStep: invariants over random histories', () => {
  it('keeps every rule whatever the mirrors answer', () => {
    const policy = DEFAULT_RETRY_POLICY;
    for (let seed = 1; seed <= 500; seed++) {
      const random = seeded(seed);
      const mirrorCount = 1 + Math.floor(random() * 9);
      const outcome = (): AttemptOutcome => {
        const r = random();
        if (r < 0.1) return ok;
        if (r < 0.25) return permanent;
        if (r < 0.45) return { kind: 'transient', retryAfterMs: Math.floor(random() * 70_000) };
        return transient;
      };
      const run = simulate({ mirrorCount, startIndex: Math.floor(random() * mirrorCount), outcome, random, attemptMs: 1 + Math.floor(random() * 3000) });
      expect(run.history.length).toBeLessThanOrEqual(policy.maxAttempts);
      expect(Math.max(0, ...run.rounds)).toBeLessThanOrEqual(policy.maxRounds);
      for (let round = 1; round <= policy.maxRounds; round++) {
        const inRound = run.history.filter((h) => h.round === round).map((h) => h.mirrorIndex);
        expect(new Set(inRound).size).toBe(inRound.length);
        expect(inRound.length).toBeLessThanOrEqual(policy.mirrorsPerRound);
      }
      run.history.forEach((record, i) => {
        const earlier = run.history.slice(0, i).filter((h) => h.mirrorIndex === record.mirrorIndex);
        expect(earlier.some((h) => h.outcome.kind === 'permanent')).toBe(false);
        const last = earlier.at(-1);
        if (last?.outcome.kind === 'transient' && last.outcome.retryAfterMs !== undefined) {
          expect(last.outcome.retryAfterMs).toBeLessThanOrEqual(policy.retryAfterMaxMs);
          expect(run.startedAt[i]).toBeGreaterThanOrEqual(last.endedAt + last.outcome.retryAfterMs);
        }
        expect(run.startedAt[i]).toBeLessThan(policy.symbolDeadlineMs);
      });
      expect(['done', 'give-up']).toContain(run.end.kind);
    }
  });
});
