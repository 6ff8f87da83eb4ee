import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { AllMirrorsDownError } from '../../src/errors.js';
import { startLoopbackMirror } from '../support/loopback-mirror.js';
import { answers, decode, PAYLOAD, symbols, usePoolHarness } from './pool-harness.js';

const { mirrors, pool, global } = usePoolHarness();

const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe('fetchSymbol with a scheduler: limits and pacing', () => {
  it('never has more than the global and per-mirror limits in flight at the servers, on few sockets', async () => {
    const counting = await mirrors(...Array.from({ length: 8 }, () => () => answers.ok(25)));
    const { fetch, scheduler } = pool(counting, { concurrency: 6, perMirror: 2, spacingMs: 0 });
    const outcomes = await Promise.all(symbols(80).map((s) => fetch(s)));
    expect(outcomes.every((o) => o.ok && o.value === PAYLOAD)).toBe(true);
    expect(global.max).toBe(6);
    for (const c of counting) {
      expect(c.load.max).toBeLessThanOrEqual(2);
      // Keep-alive: no socket churn, however many requests went over them.
      expect(c.server.connections()).toBeLessThanOrEqual(2);
    }
    const stats = scheduler.stats();
    expect(Object.values(stats).reduce((n, s) => n + s.ok, 0)).toBe(80);
    expect(counting.map((c) => c.arrivals.length)).toEqual(counting.map((c) => stats[c.mirror.name]!.requests));
  });

  it('spaces requests to one mirror by spacingMs with jitter (0.5–1.5×)', async () => {
    const counting = await mirrors(() => answers.ok(1), () => answers.ok(1));
    const { fetch } = pool(counting, { perMirror: 2, spacingMs: 60 });
    const started = performance.now();
    await Promise.all(symbols(24).map((s) => fetch(s)));
    for (const c of counting) {
      const between = gaps(c.arrivals);
      expect(between.length).toBeGreaterThan(5);
      // Granted at least 30 ms apart. Arrival times at the server add the event-loop delay of
      // whichever request was sent late (tens of ms on a loaded machine, when one late
      // request lands right behind the next), so one short gap is allowed and the floor is
      // loose; without spacing every gap would be 0–2 ms, and the mean below pins the
      // jitter's scale.
      expect(between.filter((gap) => gap < 12).length).toBeLessThanOrEqual(1);
      const mean = between.reduce((a, b) => a + b, 0) / between.length;
      expect(mean).toBeGreaterThan(42);
      expect(mean).toBeLessThan(90);
    }
    // 12 requests per mirror at ~60 ms each: under a second, not 24 × 60 ms.
    expect(performance.now() - started).toBeLessThan(1_300);
  });

  it('sends the next requests of a wave before decoding the answers that freed their slots', async () => {
    // A mirror that answers in waves: nothing until four requests wait, then all four at once.
    const held: ServerResponse[] = [];
    const server = await startLoopbackMirror((_req, res) => {
      held.push(res);
      if (held.length < 4) return;
      for (const waiting of held.splice(0)) waiting.writeHead(200, { 'content-type': 'text/plain' }).end(PAYLOAD);
    });
    try {
      const decodeStarts: number[] = [];
      // A decode that holds the thread for 25 ms, as a large payload's parse and checks would.
      const slowDecode = (response: Parameters<typeof decode>[0]) => {
        decodeStarts.push(performance.now());
        const until = performance.now() + 25;
        while (performance.now() < until);
        return decode(response);
      };
      const mirror = { server, mirror: { name: 'm0', baseUrl: server.url }, arrivals: [], load: { inFlight: 0, max: 0 } };
      const { fetch, sent } = pool([mirror], { concurrency: 4, perMirror: 4, spacingMs: 0 }, {}, slowDecode);
      const outcomes = await Promise.all(symbols(8).map((s) => fetch(s)));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      // All four slots of the first wave are sent out again before the first of its answers
      // is decoded, not one per 25 ms decode.
      expect(sent).toHaveLength(8);
      expect(Math.max(...sent.slice(4))).toBeLessThan(decodeStarts[0]!);
    } finally {
      await server.close();
    }
  });

  it('does not charge time queued for a slot to the symbol’s deadline', async () => {
    const counting = await mirrors(() => answers.ok(60));
    const { fetch } = pool(counting, { concurrency: 1, perMirror: 1, spacingMs: 0 }, { symbolDeadlineMs: 300 });
    const outcomes = await Promise.all(symbols(10).map((s) => fetch(s)));
    expect(outcomes.map((o) => o.ok)).toEqual(Array(10).fill(true));
    expect(outcomes.every((o) => o.attempts.length === 1)).toBe(true);
  });
});

describe('fetchSymbol with a scheduler: spreading and circuits', () => {
  it('spreads symbols over the healthy mirrors; the down ones get a handful before their circuits open', async () => {
    const healthy = () => answers.ok(10);
    const counting = await mirrors(healthy, answers.down, healthy, healthy, answers.down, healthy);
    const { fetch, scheduler } = pool(counting, { concurrency: 16, perMirror: 2, spacingMs: 0, circuitCooldownMs: 60_000 });
    const outcomes = await Promise.all(symbols(120).map((s) => fetch(s)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const stats = scheduler.stats();
    for (const name of ['m1', 'm4']) {
      expect(stats[name]).toMatchObject({ state: 'open', circuitOpens: 1, ok: 0 });
      // Five failures open it; at most one more was already on its way.
      expect(stats[name]!.requests).toBeGreaterThanOrEqual(5);
      expect(stats[name]!.requests).toBeLessThanOrEqual(6);
    }
    const shares = ['m0', 'm2', 'm3', 'm5'].map((name) => stats[name]!.ok);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(120);
    for (const share of shares) {
      expect(share).toBeGreaterThanOrEqual(24);
      expect(share).toBeLessThanOrEqual(36);
    }
    expect(stats['m0']).toMatchObject({ state: 'closed', circuitOpens: 0 });
    expect(stats['m0']!.p50Ms).toBeGreaterThanOrEqual(9);
    expect(stats['m0']!.p95Ms).toBeGreaterThanOrEqual(stats['m0']!.p50Ms!);
  });

  it('opens the circuit of a mirror that throttles (429) or answers HTML, but not of one that lacks symbols (404)', async () => {
    const counting = await mirrors(() => answers.throttled(), answers.html, answers.notFound, () => answers.ok(5));
    const { fetch, scheduler } = pool(counting, { spacingMs: 0, circuitCooldownMs: 60_000 });
    const outcomes = await Promise.all(symbols(60).map((s) => fetch(s)));
    expect(outcomes.every((o) => o.ok && o.broker === 'm3')).toBe(true);
    const stats = scheduler.stats();
    expect(stats['m0']).toMatchObject({ state: 'open', circuitOpens: 1 });
    expect(stats['m1']).toMatchObject({ state: 'open', circuitOpens: 1 });
    expect(stats['m2']).toMatchObject({ state: 'closed', circuitOpens: 0, ok: 0 });
    expect(stats['m2']!.errors).toBe(stats['m2']!.requests);
    expect(stats['m0']!.requests).toBeLessThanOrEqual(6);
  });

  it('opens the circuit at once on a Retry-After beyond the cap, and keeps every symbol off it', async () => {
    const counting = await mirrors(() => answers.throttled({ 'retry-after': '3600' }), () => answers.ok(5));
    const { fetch, scheduler } = pool(counting, { spacingMs: 0, perMirror: 1 });
    const outcomes = await Promise.all(symbols(30).map((s) => fetch(s)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(counting[0]!.arrivals).toHaveLength(1);
    expect(scheduler.stats()['m0']).toMatchObject({ state: 'open', circuitOpens: 1, requests: 1 });
    expect(scheduler.blockedForMs()[0]).toBeGreaterThan(3_500_000);
  });

  it('holds a mirror back for everyone during a short Retry-After', async () => {
    let first = true;
    const counting = await mirrors(() => {
      if (!first) return answers.ok(1);
      first = false;
      return answers.throttled({ 'retry-after': '1' });
    });
    const { fetch } = pool(counting, { spacingMs: 0, perMirror: 1 });
    const outcomes = await Promise.all(symbols(4).map((s) => fetch(s)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const [throttledAt, ...rest] = counting[0]!.arrivals;
    for (const at of rest) expect(at - throttledAt!).toBeGreaterThanOrEqual(990);
  });
});

describe('fetchSymbol with a scheduler: every mirror down', () => {
  it('stops with AllMirrorsDownError within the patience instead of burning through the symbols', async () => {
    const counting = await mirrors(answers.down, answers.down, answers.down);
    const { fetch, scheduler } = pool(
      counting,
      { spacingMs: 0, circuitFailures: 2, circuitCooldownMs: 50, circuitMaxCooldownMs: 100, allDownPatienceMs: 400 },
      { backoffBaseMs: 50, backoffMaxMs: 100 },
    );
    const started = performance.now();
    const results = await Promise.allSettled(symbols(40).map((s) => fetch(s)));
    const elapsed = performance.now() - started;
    const fatal = results.filter((r) => r.status === 'rejected');
    expect(fatal.length).toBeGreaterThanOrEqual(30);
    for (const r of fatal) expect(r.reason).toBeInstanceOf(AllMirrorsDownError);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2_000);
    // Fewer requests than symbols: opening, then a few paced trials.
    const requests = counting.reduce((n, c) => n + c.arrivals.length, 0);
    expect(requests).toBeLessThan(40);
    expect(Object.values(scheduler.stats()).every((s) => s.state !== 'closed')).toBe(true);
  });

  it('carries on when a mirror comes back during the wait; the waiting costs no attempts', async () => {
    let back = false;
    const counting = await mirrors(
      () => (back ? answers.ok(2) : answers.down()),
      answers.down,
    );
    const { fetch, scheduler } = pool(counting, { spacingMs: 0, circuitFailures: 2, circuitCooldownMs: 40, circuitMaxCooldownMs: 80, allDownPatienceMs: 10_000 });
    setTimeout(() => (back = true), 400);
    const started = performance.now();
    const outcomes = await Promise.all(symbols(20).map((s) => fetch(s)));
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    expect(outcomes.every((o) => o.ok && o.broker === 'm0')).toBe(true);
    // Several cool-downs passed, yet no symbol came near its 8 attempts.
    expect(Math.max(...outcomes.map((o) => o.attempts.length))).toBeLessThanOrEqual(4);
    expect(scheduler.stats()['m0']!.state).toBe('closed');
    expect(scheduler.stats()['m0']!.circuitOpens).toBeGreaterThanOrEqual(2);
  });

  it("rejects with the caller's reason when aborted while waiting for a mirror", async () => {
    const counting = await mirrors(answers.down);
    const { fetch, scheduler } = pool(counting, { spacingMs: 0, circuitFailures: 1, circuitCooldownMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('SIGTERM');
    setTimeout(() => controller.abort(reason), 100);
    await expect(fetch('1000', controller.signal)).rejects.toBe(reason);
    expect(counting[0]!.arrivals).toHaveLength(1);
    expect(scheduler.anyAvailable()).toBe(false);
  });
});
