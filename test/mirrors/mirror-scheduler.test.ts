import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { AllMirrorsDownError } from '../../src/errors.js';
import { createMirrorScheduler } from '../../src/mirrors/mirror-scheduler.js';
import type { MirrorLease, MirrorScheduler } from '../../src/mirrors/mirror-scheduler.js';
import type { SchedulerOptions } from '../../src/mirrors/scheduler-options.js';
import { sleep } from '../../src/sleep.js';
import { DEFAULT_SCHEDULER_OPTIONS } from '../support/defaults.js';

const now = () => performance.now();

/** A scheduler over `count` mirrors named m0, m1, …; no spacing unless asked. */
function scheduler(count: number, options: Partial<SchedulerOptions> = {}, random = () => 0.5): MirrorScheduler {
  const mirrors = Array.from({ length: count }, (_, i) => ({ name: `m${i}`, baseUrl: `http://127.0.0.1:${1000 + i}/` }));
  return createMirrorScheduler(mirrors, { ...DEFAULT_SCHEDULER_OPTIONS, spacingMs: 0, ...options }, { now, random });
}

/** Whether the promise has settled after the pending microtasks and a macrotask. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

async function lease(s: MirrorScheduler, candidates: number[]): Promise<MirrorLease> {
  const got = await s.acquire(candidates);
  if (got === undefined) throw new Error('expected a lease');
  return got;
}

const fail = (l: MirrorLease, retryAfterMs?: number) => l.report({ verdict: 'failure', ms: 1, retryAfterMs });
const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('scheduler: limits and order', () => {
  it('grants at once when a slot is free, and says which mirror', async () => {
    const s = scheduler(3);
    const first = await lease(s, [2, 0]);
    expect(first).toMatchObject({ mirrorIndex: 2, trial: false });
  });

  it('holds at most perMirror requests at a mirror, and serves waiters first come first served', async () => {
    const s = scheduler(1, { perMirror: 2 });
    const a = await lease(s, [0]);
    await lease(s, [0]);
    const order: string[] = [];
    const c = s.acquire([0]).then((l) => (order.push('c'), l));
    const d = s.acquire([0]).then((l) => (order.push('d'), l));
    expect(await settled(c)).toBe(false);
    a.release();
    expect(await settled(c)).toBe(true);
    expect(await settled(d)).toBe(false);
    (await c)!.release();
    await d;
    expect(order).toEqual(['c', 'd']);
  });

  it('holds at most `concurrency` requests over all mirrors', async () => {
    const s = scheduler(4, { concurrency: 3, perMirror: 2 });
    const granted = await Promise.all([0, 1, 2].map(() => lease(s, [0, 1, 2, 3])));
    const fourth = s.acquire([0, 1, 2, 3]);
    expect(await settled(fourth)).toBe(false);
    granted[1]!.report({ verdict: 'success', ms: 1 });
    expect(await settled(fourth)).toBe(true);
  });

  it('gives the least loaded candidate, then the one idle longest', async () => {
    const s = scheduler(3, { perMirror: 4 });
    const leases = [await lease(s, [0, 1, 2]), await lease(s, [0, 1, 2]), await lease(s, [0, 1, 2])];
    expect(leases.map((l) => l.mirrorIndex)).toEqual([0, 1, 2]);
    leases[1]!.release();
    expect((await lease(s, [0, 1, 2])).mirrorIndex).toBe(1);
    leases[0]!.release();
    leases[2]!.release();
    // m0 and m2 are both idle now; m0 started longest ago.
    expect((await lease(s, [2, 0])).mirrorIndex).toBe(0);
  });

  it('passes over a waiter whose mirrors are busy to serve one that can go elsewhere', async () => {
    const s = scheduler(2, { perMirror: 1 });
    await lease(s, [0]);
    const stuck = s.acquire([0]);
    const other = s.acquire([0, 1]);
    expect((await other)?.mirrorIndex).toBe(1);
    expect(await settled(stuck)).toBe(false);
  });

  it('drops an aborted waiter and rejects with the caller’s reason', async () => {
    const s = scheduler(1, { perMirror: 1 });
    const a = await lease(s, [0]);
    const controller = new AbortController();
    const aborted = s.acquire([0], controller.signal);
    const next = s.acquire([0]);
    const reason = new Error('SIGTERM');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    a.release();
    expect((await next)?.mirrorIndex).toBe(0);
    await expect(s.acquire([0], controller.signal)).rejects.toBe(reason);
  });
});

describe('scheduler: spacing', () => {
  it.each([
    { random: 0, gap: 50 },
    { random: 0.999, gap: 150 },
  ])('spaces requests to one mirror by spacingMs × (0.5 + random) = $gap ms', async ({ random, gap }) => {
    const s = scheduler(2, { spacingMs: 100, perMirror: 2 }, () => random);
    const t0 = now();
    await lease(s, [0]);
    await lease(s, [0]);
    const elapsed = now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(gap - 2);
    expect(elapsed).toBeLessThan(gap + 100);
    // Another mirror is not held back by it.
    const t1 = now();
    await lease(s, [1]);
    expect(now() - t1).toBeLessThan(20);
  });

  it('takes a ready mirror over one still in its gap', async () => {
    const s = scheduler(2, { spacingMs: 1_000 });
    expect((await lease(s, [0, 1])).mirrorIndex).toBe(0);
    expect((await lease(s, [0, 1])).mirrorIndex).toBe(1);
  });

  it('holds every request to a mirror back for a short Retry-After', async () => {
    const s = scheduler(2, { perMirror: 4 });
    fail(await lease(s, [0]), 150);
    const t0 = now();
    expect((await lease(s, [0, 1])).mirrorIndex).toBe(1);
    expect(now() - t0).toBeLessThan(50);
    await lease(s, [0]);
    expect(now() - t0).toBeGreaterThanOrEqual(140);
    expect(s.stats()['m0']?.state).toBe('closed');
  });
});

describe('scheduler: circuits', () => {
  it('opens a mirror’s circuit after consecutive failures and sends waiters elsewhere', async () => {
    const s = scheduler(2, { circuitFailures: 3, circuitCooldownMs: 10_000 });
    for (let i = 0; i < 3; i++) fail(await lease(s, [0]));
    expect(s.stats()['m0']).toMatchObject({ state: 'open', circuitOpens: 1, requests: 3, errors: 3 });
    expect(await s.acquire([0])).toBeUndefined();
    expect((await lease(s, [0, 1])).mirrorIndex).toBe(1);
    const [blocked0, blocked1] = s.blockedForMs();
    expect(blocked0).toBeGreaterThan(9_000);
    expect(blocked1).toBe(0);
    expect(s.anyAvailable()).toBe(true);
  });

  it('counts faults found after the fact (empty, disagreement) against the circuit: requests that looked ok', async () => {
    // A mirror serving wrong bars: each answer booked ok, then charged once compared.
    const s = scheduler(2, { circuitFailures: 5, circuitWindow: 6, circuitRatio: 0.5, circuitCooldownMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      (await lease(s, [0])).report({ verdict: 'success', ms: 1 });
      expect(s.stats()['m0']!.state).toBe('closed');
      s.charge('m0');
    }
    expect(s.stats()['m0']).toMatchObject({ state: 'open', circuitOpens: 1, requests: 3, ok: 3 });
    expect(await s.acquire([0])).toBeUndefined();
    s.charge('no-such-mirror');
    expect(s.stats()['m1']).toMatchObject({ state: 'closed' });
  });

  it('tells a queued waiter to plan again when its only mirror’s circuit opens', async () => {
    const s = scheduler(2, { perMirror: 1 });
    const a = await lease(s, [0]);
    const waiting = s.acquire([0]);
    fail(a, 120_000); // a Retry-After beyond retryAfterMaxMs opens the circuit at once
    expect(await waiting).toBeUndefined();
    expect(s.stats()['m0']).toMatchObject({ state: 'open', circuitOpens: 1 });
    expect(s.blockedForMs()[0]).toBeGreaterThan(100_000);
  });

  it('after the cool-down lets one trial through; its success closes the circuit for the others', async () => {
    const s = scheduler(2, { circuitFailures: 1, circuitCooldownMs: 60 });
    fail(await lease(s, [0]));
    await sleep(70);
    const trial = await lease(s, [0]);
    expect(trial.trial).toBe(true);
    const other = s.acquire([0]);
    expect(await settled(other)).toBe(false);
    trial.release(); // the body is in, but the verdict is not: still one trial
    expect(await settled(other)).toBe(false);
    trial.report({ verdict: 'success', ms: 1 });
    expect(await other).toMatchObject({ mirrorIndex: 0, trial: false });
    expect(s.stats()['m0']?.state).toBe('closed');
  });

  it('a failed trial opens the circuit again and turns the queued waiters away', async () => {
    const s = scheduler(2, { circuitFailures: 1, circuitCooldownMs: 40 });
    fail(await lease(s, [0]));
    await sleep(50);
    const trial = await lease(s, [0]);
    const other = s.acquire([0]);
    fail(trial);
    expect(await other).toBeUndefined();
    expect(s.stats()['m0']).toMatchObject({ state: 'open', circuitOpens: 2 });
    expect(s.blockedForMs()[0]).toBeGreaterThan(60); // doubled: 80 ms
  });

  it('an aborted trial frees the circuit for another trial and counts for nothing', async () => {
    const s = scheduler(1, { circuitFailures: 1, circuitCooldownMs: 30 });
    fail(await lease(s, [0]));
    await sleep(40);
    (await lease(s, [0])).report({ verdict: 'aborted' });
    expect((await lease(s, [0])).trial).toBe(true);
    expect(s.stats()['m0']).toMatchObject({ requests: 3, ok: 0, errors: 1 });
  });
});

describe('scheduler: every mirror down', () => {
  it('waits for the earliest cool-down, not longer', async () => {
    const s = scheduler(2, { circuitFailures: 1, circuitCooldownMs: 100 });
    fail(await lease(s, [0]));
    await sleep(40);
    fail(await lease(s, [1]));
    expect(s.anyAvailable()).toBe(false);
    const t0 = now();
    await s.waitForAnyMirror();
    expect(now() - t0).toBeGreaterThanOrEqual(50);
    expect(now() - t0).toBeLessThan(90);
    expect(s.anyAvailable()).toBe(true);
  });

  it('gives up with AllMirrorsDownError once no mirror recovered within the patience, and stays so', async () => {
    const s = scheduler(2, { circuitFailures: 1, circuitCooldownMs: 20, circuitMaxCooldownMs: 40, allDownPatienceMs: 300 });
    fail(await lease(s, [0]));
    fail(await lease(s, [1]));
    const t0 = now();
    let trials = 0;
    const error = await (async () => {
      for (;;) {
        await s.waitForAnyMirror();
        const l = await s.acquire([0, 1]);
        if (l === undefined) continue;
        trials += 1;
        fail(l);
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllMirrorsDownError);
    expect((error as AllMirrorsDownError).code).toBe('E_ALL_MIRRORS_DOWN');
    expect(now() - t0).toBeGreaterThanOrEqual(290);
    expect(now() - t0).toBeLessThan(800);
    // A few trials, paced by the doubling cool-down — not a storm of requests.
    expect(trials).toBeGreaterThanOrEqual(2);
    expect(trials).toBeLessThan(30);
    await expect(s.acquire([0, 1])).rejects.toBeInstanceOf(AllMirrorsDownError);
    await expect(s.waitForAnyMirror()).rejects.toBeInstanceOf(AllMirrorsDownError);
    expect(s.anyAvailable()).toBe(false);
  });

  it('a successful trial ends the outage before the patience runs out', async () => {
    const s = scheduler(2, { circuitFailures: 1, circuitCooldownMs: 30, allDownPatienceMs: 200 });
    fail(await lease(s, [0]));
    fail(await lease(s, [1]));
    await s.waitForAnyMirror();
    (await lease(s, [0, 1])).report({ verdict: 'success', ms: 1 });
    await sleep(250);
    expect(s.anyAvailable()).toBe(true);
    expect((await lease(s, [0, 1])).trial).toBe(false);
  });

  it('tells when every circuit is open and when one closes again, once each', async () => {
    const mirrors = [0, 1].map((i) => ({ name: `m${i}`, baseUrl: `http://127.0.0.1:${1000 + i}/` }));
    const events: unknown[] = [];
    const s = createMirrorScheduler(
      mirrors,
      { ...DEFAULT_SCHEDULER_OPTIONS, spacingMs: 0, circuitFailures: 1, circuitCooldownMs: 30, allDownPatienceMs: 5_000 },
      { now, random: () => 0.5, onOutage: (event) => events.push(event) },
    );
    fail(await lease(s, [0]));
    expect(events).toEqual([]); // m1 still closed
    fail(await lease(s, [1]));
    expect(events).toEqual([{ state: 'down', patienceMs: 5_000 }]);
    await s.waitForAnyMirror();
    (await lease(s, [0, 1])).report({ verdict: 'success', ms: 1 });
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ state: 'recovered', downForMs: expect.any(Number) });
  });

  it('rejects a waiter with the caller’s reason on abort', async () => {
    const s = scheduler(1, { circuitFailures: 1, circuitCooldownMs: 10_000 });
    fail(await lease(s, [0]));
    const controller = new AbortController();
    const waiting = s.waitForAnyMirror(controller.signal);
    const reason = new Error('SIGINT');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});

describe('scheduler: stats and resources', () => {
  it('counts requests, outcomes and latency per mirror', async () => {
    const s = scheduler(2, { perMirror: 8 });
    for (const ms of [10, 20, 30, 40]) (await lease(s, [0])).report({ verdict: 'success', ms });
    (await lease(s, [0])).report({ verdict: 'neutral', ms: 1000 });
    (await lease(s, [0])).report({ verdict: 'aborted' });
    expect(s.stats()).toEqual({
      m0: { requests: 6, ok: 4, errors: 1, circuitOpens: 0, p50Ms: 30, p95Ms: 1000, state: 'closed' },
      m1: { requests: 0, ok: 0, errors: 0, circuitOpens: 0, p50Ms: null, p95Ms: null, state: 'closed' },
    });
  });

  it('leaves no timer behind once nobody waits', async () => {
    const before = timeouts();
    const s = scheduler(2, { spacingMs: 30, perMirror: 1, circuitFailures: 1, circuitCooldownMs: 5_000 });
    const leases = await Promise.all([0, 1, 2, 3].map(() => lease(s, [0, 1]).then((l) => (l.release(), l))));
    fail(leases[0]!);
    const controller = new AbortController();
    const waiting = s.acquire([1], controller.signal);
    controller.abort(new Error('stop'));
    await waiting.catch(() => {});
    expect(timeouts()).toBe(before);
  });

  it('refuses options it cannot work with', () => {
    expect(() => scheduler(0)).toThrow(RangeError);
    expect(() => scheduler(1, { perMirror: 0 })).toThrow(RangeError);
    expect(() => scheduler(1, { circuitRatio: 0 })).toThrow(RangeError);
  });
});
