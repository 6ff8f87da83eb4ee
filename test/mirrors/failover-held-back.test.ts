import { describe, expect, it } from 'vitest';
import { nextStep } from '../../src/mirrors/failover.js';
import type { AttemptOutcome, AttemptRecord } from '../../src/mirrors/failover.js';
import { DEFAULT_RETRY_POLICY } from '../support/defaults.js';
import { seeded } from '../support/seeded-random.js';
import { ok, permanent, simulate, transient } from './failover-simulation.js';

describe('nextStep: mirrors held back from outside (open circuits)', () => {
  const base = { startIndex: 0, startedAt: 0, policy: DEFAULT_RETRY_POLICY, random: () => 1 };

  it('offers every allowed mirror as a candidate, skipping held-back ones within a round', () => {
    const first = nextStep({ ...base, mirrorCount: 4, history: [], now: 0, blockedUntil: [-Infinity, 500, -Infinity, -Infinity] });
    expect(first).toEqual({ kind: 'try', mirrorIndex: 0, round: 1, candidates: [0, 2, 3] });
    const second = nextStep({
      ...base,
      mirrorCount: 4,
      history: [{ mirrorIndex: 0, round: 1, endedAt: 10, outcome: transient }],
      now: 10,
      blockedUntil: [-Infinity, 500, -Infinity, -Infinity],
    });
    expect(second).toEqual({ kind: 'try', mirrorIndex: 2, round: 1, candidates: [2, 3] });
  });

  it('plans the next round around held-back mirrors rather than waiting for them', () => {
    const history: AttemptRecord[] = [0, 1, 2].map((m) => ({ mirrorIndex: m, round: 1, endedAt: 10, outcome: transient }));
    const blockedUntil = [-Infinity, -Infinity, -Infinity, 60_000, 60_000, 60_000, -Infinity, -Infinity];
    const step = nextStep({ ...base, mirrorCount: 8, history, now: 10, blockedUntil });
    expect(step).toEqual({ kind: 'wait', ms: 1000, mirrorIndex: 6, round: 2, candidates: [6, 7, 0, 1, 2] });
  });

  it('waits within round 1 when every mirror is held back, or gives up if that is past the deadline', () => {
    const held = nextStep({ ...base, mirrorCount: 2, history: [], now: 0, blockedUntil: [3000, 2000] });
    expect(held).toEqual({ kind: 'wait', ms: 2000, mirrorIndex: 1, round: 1, candidates: [1] });
    const late = nextStep({ ...base, mirrorCount: 2, history: [], now: 0, blockedUntil: [300_000, 200_000] });
    expect(late).toEqual({ kind: 'give-up', reason: 'deadline' });
  });

  it('decides exactly as without when nothing is held back', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const setup = (random: () => number) => {
        const mirrorCount = 1 + Math.floor(random() * 9);
        const outcome = (): AttemptOutcome => {
          const r = random();
          if (r < 0.1) return ok;
          if (r < 0.25) return permanent;
          if (r < 0.45) return { kind: 'transient', retryAfterMs: Math.floor(random() * 70_000) };
          return transient;
        };
        return { mirrorCount, startIndex: Math.floor(random() * mirrorCount), outcome, random, attemptMs: 500 };
      };
      const plain = simulate(setup(seeded(seed)));
      const free = setup(seeded(seed));
      const held = simulate({ ...free, blockedUntil: Array(free.mirrorCount).fill(-Infinity) });
      expect(held.history).toEqual(plain.history);
      expect(held.end).toEqual(plain.end);
    }
  });

  it('keeps the round rules with random outside holds', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seeded(seed);
      const mirrorCount = 1 + Math.floor(random() * 9);
      const blockedUntil = Array.from({ length: mirrorCount }, () => (random() < 0.4 ? random() * 20_000 : -Infinity));
      const run = simulate({ mirrorCount, outcome: () => transient, random, attemptMs: 300, blockedUntil });
      run.history.forEach((record, i) => expect(run.startedAt[i]).toBeGreaterThanOrEqual(blockedUntil[record.mirrorIndex]!));
      for (let round = 1; round <= 3; round++) {
        const inRound = run.history.filter((h) => h.round === round).map((h) => h.mirrorIndex);
        expect(new Set(inRound).size).toBe(inRound.length);
        expect(inRound.length).toBeLessThanOrEqual(3);
      }
      expect(['done', 'give-up']).toContain(run.end.kind);
    }
  });
});
