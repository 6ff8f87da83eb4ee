import { http, HttpResponse } from 'msw';
import type { RequestHandler } from 'msw';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { createRotation } from '../../src/mirrors/failover.js';
import type { RetryPolicy } from '../../src/mirrors/failover.js';
import { fetchSymbol } from '../../src/mirrors/fetch-symbol.js';
import type { Attempt, FetchSymbolDeps } from '../../src/mirrors/fetch-symbol.js';
import type { MirrorClientOptions, MirrorResponse } from '../../src/mirrors/mirror-client.js';
import type { Mirror } from '../../src/mirrors/mirror-list.js';
import { sleep } from '../../src/sleep.js';
import { DEFAULT_QUERY, DEFAULT_RETRY_POLICY } from '../support/defaults.js';
import type { LoopbackMirror, RawHandler } from '../support/loopback-mirror.js';
import { ENDPOINT, PAYLOAD, useClientHarness } from './client-harness.js';

const ok = (): RequestHandler[] => [http.get(ENDPOINT, () => HttpResponse.text(PAYLOAD))];
const status = (code: number, headers: Record<string, string> = {}): RequestHandler[] => [
  http.get(ENDPOINT, () => new HttpResponse('busy', { status: code, headers })),
];
const hang: RawHandler = () => {};

const harness = useClientHarness();

/** Starts one loopback mirror per handler set, named m0, m1, … */
async function mirrorsFor(...handlers: Array<RequestHandler[] | RawHandler>): Promise<{ mirrors: Mirror[]; servers: LoopbackMirror[] }> {
  const started = await Promise.all(handlers.map((h) => harness.serve(h)));
  return { servers: started.map((s) => s.server), mirrors: started.map((s, i) => ({ name: `m${i}`, baseUrl: s.mirror.baseUrl })) };
}

/** The stand-in parser: HTML is a FormatError, anything else the text itself. */
async function decode(response: MirrorResponse): Promise<string> {
  const text = new TextDecoder().decode(response.bytes);
  if (text.includes('<')) throw new FormatError('html', 'an HTML page, not a payload', { excerpt: text.slice(0, 40) });
  return text;
}

/** A fake clock that only sleeping moves, so waits can be asserted exactly and cost nothing. */
function fakeTime() {
  const clock = { now: 0, waits: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.now += ms;
    },
  };
}

function deps(
  mirrors: Mirror[],
  overrides: Partial<FetchSymbolDeps<string>> & { clientOptions?: Partial<MirrorClientOptions>; retry?: Partial<RetryPolicy> } = {},
): FetchSymbolDeps<string> {
  const { clientOptions, retry, ...rest } = overrides;
  const client = harness.client({ attemptTimeoutMs: 2000, ...clientOptions });
  const time = fakeTime();
  return {
    mirrors,
    client,
    query: DEFAULT_QUERY,
    policy: { ...DEFAULT_RETRY_POLICY, ...retry },
    startIndex: 0,
    decode,
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
    ...rest,
  };
}

const shape = (attempts: Attempt[]) => attempts.map((a) => [a.broker, a.status, a.code]);

describe('fetchSymbol: failover', () => {
  it('moves on from a 503 to the next mirror without waiting', async () => {
    const { mirrors, servers } = await mirrorsFor(status(503), ok(), ok());
    const time = fakeTime();
    const outcome = await fetchSymbol('2330', deps(mirrors, { sleep: time.sleep, now: time.now }));
    expect(outcome).toMatchObject({ ok: true, broker: 'm1', value: PAYLOAD });
    expect(shape(outcome.attempts)).toEqual([
      ['m0', 503, 'E_MIRROR_HTTP'],
      ['m1', 200, undefined],
    ]);
    expect(servers[2]!.requests).toHaveLength(0);
    expect(time.clock.waits).toEqual([]);
  });

  it('moves on from an HTML page, a truncated body, a reset and an oversized body', async () => {
    const html = [http.get(ENDPOINT, () => HttpResponse.html('<html><body>系統忙碌中</body></html>'))];
    const truncated: RawHandler = (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(PAYLOAD, () => res.socket?.destroy());
    };
    const reset: RawHandler = (req) => req.socket.destroy();
    const huge = [http.get(ENDPOINT, () => HttpResponse.text('1'.repeat(2048)))];
    const { mirrors } = await mirrorsFor(html, truncated, reset, huge, ok());
    const outcome = await fetchSymbol('2330', deps(mirrors, { clientOptions: { maxBodyBytes: 1024 }, retry: { mirrorsPerRound: 5 } }));
    expect(outcome).toMatchObject({ ok: true, broker: 'm4' });
    expect(shape(outcome.attempts)).toEqual([
      ['m0', 200, 'E_FORMAT'],
      ['m1', 'E_MIRROR_NETWORK', 'E_MIRROR_NETWORK'],
      ['m2', 'E_MIRROR_NETWORK', 'E_MIRROR_NETWORK'],
      ['m3', 200, 'E_MIRROR_TOO_LARGE'],
      ['m4', 200, undefined],
    ]);
    expect(outcome.attempts[0]?.detail).toMatch(/^html: <html>/);
  });

  it('charges each failed attempt with its fault kind', async () => {
    const html = [http.get(ENDPOINT, () => HttpResponse.html('<html><body>blocked</body></html>'))];
    const { mirrors } = await mirrorsFor(status(429), status(503), html, ok());
    const outcome = await fetchSymbol('2330', deps(mirrors, { retry: { mirrorsPerRound: 4 } }));
    expect(outcome.attempts.map((a) => [a.broker, a.fault])).toEqual([
      ['m0', 'http_429'],
      ['m1', 'http_5xx'],
      ['m2', 'html'],
      ['m3', undefined],
    ]);
  });

  it('never asks an excluded mirror, and gives up when only excluded ones are left', async () => {
    const { mirrors, servers } = await mirrorsFor(ok(), ok(), ok());
    const outcome = await fetchSymbol('2330', deps(mirrors, { exclude: ['m0', 'm1'] }));
    expect(outcome).toMatchObject({ ok: true, broker: 'm2' });
    expect(servers.map((server) => server.requests.length)).toEqual([0, 0, 1]);
    const none = await fetchSymbol('2330', deps(mirrors, { exclude: ['m0', 'm1', 'm2'] }));
    expect(none).toMatchObject({ ok: false, reason: 'no-mirrors', attempts: [] });
  });

  it('never asks a mirror that answered 404 again for the symbol', async () => {
    const { mirrors, servers } = await mirrorsFor(status(404), status(503));
    const time = fakeTime();
    const outcome = await fetchSymbol('2330', deps(mirrors, { sleep: time.sleep, now: time.now }));
    expect(outcome.ok).toBe(false);
    expect(servers[0]!.requests).toHaveLength(1);
    expect(servers[1]!.requests).toHaveLength(3);
    expect(outcome).toMatchObject({ code: 'E_MIRROR_HTTP', reason: 'max-rounds' });
    // Full jitter with random() = 0.5: half of 1 s, then half of 2 s.
    expect(time.clock.waits).toEqual([500, 1000]);
  });

  it('gives up, listing every attempt, when all mirrors fail; caps at 8 attempts in 3 rounds', async () => {
    const { mirrors } = await mirrorsFor(status(503), [http.get(ENDPOINT, () => HttpResponse.error())], hang);
    const seen: Attempt[] = [];
    const outcome = await fetchSymbol(
      '2330',
      deps(mirrors, { clientOptions: { attemptTimeoutMs: 100 }, onAttempt: (a) => seen.push(a) }),
    );
    if (outcome.ok) throw new Error('expected a failure');
    expect(outcome.code).toBe('E_ALL_MIRRORS_FAILED');
    expect(outcome.reason).toBe('max-attempts');
    const round = [
      ['m0', 503, 'E_MIRROR_HTTP'],
      ['m1', 'E_MIRROR_NETWORK', 'E_MIRROR_NETWORK'],
      ['m2', 'E_MIRROR_TIMEOUT', 'E_MIRROR_TIMEOUT'],
    ];
    expect(shape(outcome.attempts)).toEqual([...round, ...round, ...round.slice(0, 2)]);
    expect(seen).toEqual(outcome.attempts);
    for (const name of ['m0', 'm1', 'm2']) expect(outcome.message).toContain(name);
  });

  it('reports the common code when every attempt failed alike', async () => {
    const { mirrors } = await mirrorsFor(hang);
    const outcome = await fetchSymbol('2330', deps(mirrors, { clientOptions: { attemptTimeoutMs: 50 } }));
    expect(outcome).toMatchObject({ ok: false, code: 'E_MIRROR_TIMEOUT', reason: 'max-rounds' });
    expect(outcome.attempts).toHaveLength(3);
  });

  it('treats an empty body as an answer (no data is the caller’s business)', async () => {
    const { mirrors } = await mirrorsFor([http.get(ENDPOINT, () => new HttpResponse(null, { status: 200 }))], ok());
    expect(await fetchSymbol('9999', deps(mirrors))).toMatchObject({ ok: true, broker: 'm0', value: '' });
  });
});

describe('fetchSymbol: Retry-After', () => {
  it('waits as long as the mirror asked before asking it again', async () => {
    let calls = 0;
    const { mirrors } = await mirrorsFor([
      http.get(ENDPOINT, () =>
        ++calls === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '3' } }) : HttpResponse.text(PAYLOAD),
      ),
    ]);
    const time = fakeTime();
    const outcome = await fetchSymbol('2330', deps(mirrors, { sleep: time.sleep, now: time.now }));
    expect(outcome).toMatchObject({ ok: true, broker: 'm0' });
    expect(outcome.attempts[0]).toMatchObject({ status: 429, retryAfterMs: 3000 });
    expect(time.clock.waits).toEqual([3000]);
  });

  it('really waits with the real clock', async () => {
    let calls = 0;
    const { mirrors } = await mirrorsFor([
      http.get(ENDPOINT, () =>
        ++calls === 1 ? new HttpResponse(null, { status: 503, headers: { 'retry-after': '1' } }) : HttpResponse.text(PAYLOAD),
      ),
    ]);
    const started = performance.now();
    const outcome = await fetchSymbol('2330', deps(mirrors, { sleep, now: () => performance.now(), random: () => 0 }));
    expect(outcome.ok).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('drops a mirror whose Retry-After is beyond the cap instead of waiting', async () => {
    const { mirrors, servers } = await mirrorsFor(status(503, { 'retry-after': '3600' }), status(500));
    const outcome = await fetchSymbol('2330', deps(mirrors));
    expect(servers[0]!.requests).toHaveLength(1);
    expect(servers[1]!.requests).toHaveLength(3);
    expect(outcome.ok).toBe(false);
  });
});

describe('fetchSymbol: rotation', () => {
  it('spreads first attempts evenly over the mirrors, starting where the rotation says', async () => {
    const { mirrors, servers } = await mirrorsFor(ok(), ok(), ok(), ok());
    const base = deps(mirrors);
    const rotation = createRotation(mirrors.length, () => 0.6);
    const outcomes = [];
    for (let i = 0; i < 40; i++) outcomes.push(await fetchSymbol(String(1000 + i), { ...base, startIndex: rotation.next() }));
    expect(outcomes[0]).toMatchObject({ ok: true, broker: 'm2' });
    expect(servers.map((s) => s.requests.length)).toEqual([10, 10, 10, 10]);
    expect(servers[2]!.requests[0]?.query.get('a')).toBe('1000');
  });

  it('runs symbols side by side; a failed one is a result, not an exception', async () => {
    const { mirrors } = await mirrorsFor([
      http.get(ENDPOINT, ({ request }) =>
        new URL(request.url).searchParams.get('a') === '0000' ? new HttpResponse(null, { status: 404 }) : HttpResponse.text(PAYLOAD),
      ),
    ]);
    const base = deps(mirrors);
    const outcomes = await Promise.all(['2330', '0000', '2317', '0050'].map((s) => fetchSymbol(s, base)));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
  });
});

describe('fetchSymbol: deadline and abort', () => {
  it('cuts an attempt short at the symbol deadline', async () => {
    const { mirrors } = await mirrorsFor(hang, hang);
    const started = performance.now();
    const outcome = await fetchSymbol(
      '2330',
      deps(mirrors, { now: () => performance.now(), sleep, retry: { symbolDeadlineMs: 300 }, clientOptions: { attemptTimeoutMs: 10_000 } }),
    );
    expect(outcome).toMatchObject({ ok: false, reason: 'deadline', code: 'E_MIRROR_TIMEOUT' });
    expect(outcome.attempts).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("rejects with the caller's reason when the caller aborts a request", async () => {
    const { mirrors } = await mirrorsFor(hang);
    const controller = new AbortController();
    const reason = new Error('SIGTERM');
    setTimeout(() => controller.abort(reason), 50);
    await expect(fetchSymbol('2330', deps(mirrors, { signal: controller.signal }))).rejects.toBe(reason);
  });

  it("rejects with the caller's reason when the caller aborts a backoff wait", async () => {
    const { mirrors } = await mirrorsFor(status(503));
    const controller = new AbortController();
    const reason = new Error('SIGINT');
    const outcome = fetchSymbol(
      '2330',
      deps(mirrors, {
        signal: controller.signal,
        random: () => 1,
        sleep: (ms, signal) => {
          controller.abort(reason);
          return sleep(ms, signal);
        },
      }),
    );
    await expect(outcome).rejects.toBe(reason);
  });

  it('lets errors that are not mirror failures (bugs) through', async () => {
    const { mirrors } = await mirrorsFor(ok());
    const bug = new TypeError('parser bug');
    await expect(fetchSymbol('2330', deps(mirrors, { decode: () => Promise.reject(bug) }))).rejects.toBe(bug);
  });
});
