import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMirrors } from '../../src/health/check-mirrors.js';
import { createMirrorClient, type MirrorClient } from '../../src/mirrors/mirror-client.js';
import { parseMirrorList, type Mirror } from '../../src/mirrors/mirror-list.js';
import { DEFAULT_CLIENT_OPTIONS, DEFAULT_QUERY } from '../support/defaults.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';

const QUERY = { ...DEFAULT_QUERY, count: 1 };

describe('checkMirrors', () => {
  let farm: MirrorFarm;
  let odd: LoopbackMirror[];
  let client: MirrorClient;

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: ['ok', 'down', 'throttle', 'blocked'], lastDay: '2026-11-24' });
    odd = await Promise.all([
      // Never answers: only the time limit ends the request.
      startLoopbackMirror(() => undefined),
      startLoopbackMirror([http.get('*', () => new HttpResponse(new Uint8Array([0, 1, 2, 255, 254, 0, 7]), { status: 200 }))]),
      startLoopbackMirror([http.get('*', () => new HttpResponse('', { status: 200 }))]),
    ]);
    client = createMirrorClient({ ...DEFAULT_CLIENT_OPTIONS, connectionsPerOrigin: 1 });
  });
  afterAll(async () => {
    await client?.close();
    await farm?.close();
    await Promise.all((odd ?? []).map((mirror) => mirror.close()));
  });

  it('asks each mirror for one bar of 2330 and says which answered', async () => {
    const checks = await checkMirrors(parseMirrorList(farm.brokers), client, { timeoutMs: 2_000, query: QUERY });
    expect(checks.map(({ name, ok, error }) => ({ name, ok, error }))).toEqual([
      { name: 'm0', ok: true, error: null },
      { name: 'm1', ok: false, error: 'E_MIRROR_HTTP 503' },
      { name: 'm2', ok: false, error: 'E_MIRROR_HTTP 429' },
      { name: 'm3', ok: false, error: 'E_FORMAT html' },
    ]);
    expect(checks[0]).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), latestTradeDate: '2026-11-24' });
    for (const check of checks) expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    expect(farm.requests.flat()).toEqual(Array.from({ length: 4 }, () => ({ symbol: '2330', count: 1 })));
  });

  it('bounds a mirror that never answers, checks all mirrors at once, and reads garbage and emptiness as failures', async () => {
    const mirrors: Mirror[] = [
      { name: 'hang', baseUrl: odd[0]!.url },
      { name: 'garbage', baseUrl: odd[1]!.url },
      { name: 'empty', baseUrl: odd[2]!.url },
      ...parseMirrorList(farm.brokers).slice(0, 1),
    ];
    const started = performance.now();
    const checks = await checkMirrors(mirrors, client, { timeoutMs: 300, query: QUERY });
    expect(performance.now() - started).toBeLessThan(2_000); // 300 ms, with room for a loaded machine
    const [hang, garbage, empty, fine] = checks;
    expect(hang).toMatchObject({ ok: false, error: expect.stringMatching(/^E_MIRROR_TIMEOUT /) });
    expect(hang!.latencyMs).toBeGreaterThanOrEqual(250);
    expect(garbage).toMatchObject({ ok: false, error: 'E_FORMAT binary' });
    expect(empty).toMatchObject({ ok: false, error: expect.stringMatching(/^E_FORMAT empty/) });
    expect(fine).toMatchObject({ ok: true, error: null });
  });

  it('reports a refused connection', async () => {
    const closed = await startLoopbackMirror([]);
    const url = closed.url;
    await closed.close();
    const [check] = await checkMirrors([{ name: 'gone', baseUrl: url }], client, { timeoutMs: 1_000, query: QUERY });
    expect(check).toMatchObject({ name: 'gone', ok: false, error: expect.stringMatching(/^E_MIRROR_NETWORK ECONNREFUSED/) });
  });

  it('measures latency with the clock it is given', async () => {
    let tick = 0;
    const [check] = await checkMirrors(parseMirrorList(farm.brokers).slice(0, 1), client, {
      timeoutMs: 1_000,
      query: QUERY,
      elapsed: () => (tick += 40),
    });
    expect(check!.latencyMs).toBe(40);
  });
});
