import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { createRunsRepository, type RunStatus } from '../../src/db/runs/runs-repository.js';
import type { HealthDocument } from '../../src/health/health-document.js';
import { createPgliteDir, createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson } from '../support/run-cli.js';
import { freePort } from '../support/ports.js';

const SENTINEL = 's3cr3t-sentinel';

/** Records one finished `update` run, as a real run would, in a fresh (migrated) embedded database. */
async function embeddedWithRun(status: Exclude<RunStatus, 'running'>): Promise<{ dir: string; remove(): Promise<void> }> {
  const place = await createPgliteDir({ initialized: true });
  const handle = await openDatabase({ dataDir: place.dir });
  try {
    const runs = createRunsRepository(handle.db);
    await runs.start({ id: `run-${status}`, job: 'update', arguments: {}, pid: process.pid, host: 'test' });
    await runs.finish(`run-${status}`, status, { message: status });
  } finally {
    await handle.close();
  }
  return place;
}

function health(stdout: string): HealthDocument {
  return singleJson(stdout) as unknown as HealthDocument;
}

describe('stock-crawler health, the built CLI', () => {
  let allUp: MirrorFarm;
  let someDown: MirrorFarm;
  let hang: LoopbackMirror;
  let succeeded: { dir: string; remove(): Promise<void> };
  let failed: { dir: string; remove(): Promise<void> };
  let closedPort: number;

  beforeAll(async () => {
    [allUp, someDown, hang, succeeded, failed, closedPort] = await Promise.all([
      startMirrorFarm({ behaviours: ['ok', 'ok', 'ok'], lastDay: '2026-11-24' }),
      startMirrorFarm({ behaviours: ['ok', 'down', 'blocked'], lastDay: '2026-11-24' }),
      startLoopbackMirror(() => undefined),
      embeddedWithRun('succeeded'),
      embeddedWithRun('failed'),
      freePort(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([allUp?.close(), someDown?.close(), hang?.close(), succeeded?.remove(), failed?.remove()]);
  });

  it('exits 0 when the database and every mirror are fine', async () => {
    const run = await runCli(['health'], { env: { STOCK_CRAWLER_DATA_DIR: succeeded.dir, BROKER_URLS: allUp.brokers } });
    expect(run.code, run.stderr).toBe(0);
    const document = health(run.stdout);
    expect(document).toMatchObject({ success: true, status: 'healthy', reasons: [], source: 'node' });
    expect(document.database).toMatchObject({ ok: true, kind: 'pglite', error: null, last_run: { id: 'run-succeeded', status: 'succeeded' } });
    expect(document.database!.schema?.current).toBe(true);
    expect(document.brokers!.map((b) => [b.name, b.ok, b.error])).toEqual([['m0', true, null], ['m1', true, null], ['m2', true, null]]);
    for (const broker of document.brokers!) expect(broker.latency_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(document.checked_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('exits 1 when some mirrors fail, naming them', async () => {
    // The mirrors only (a bare --brokers): each embedded-database run costs seconds, and
    // the database side of "degraded" is covered by the failed-run case below.
    const run = await runCli(['health', '--brokers'], { env: { BROKER_URLS: someDown.brokers } });
    expect(run.code, run.stderr).toBe(1);
    const document = health(run.stdout);
    expect(document).toMatchObject({ success: true, status: 'degraded', database: null });
    expect(document.brokers!.map((b) => [b.name, b.ok, b.error])).toEqual([
      ['m0', true, null],
      ['m1', false, 'E_MIRROR_HTTP 503'],
      ['m2', false, 'E_FORMAT html'],
    ]);
  });

  it('exits 1 when the last run failed; --db asks no mirror', async () => {
    const before = allUp.requests.flat().length;
    const run = await runCli(['health', '--db'], { env: { STOCK_CRAWLER_DATA_DIR: failed.dir, BROKER_URLS: allUp.brokers } });
    expect(run.code, run.stderr).toBe(1);
    const document = health(run.stdout);
    expect(document).toMatchObject({ status: 'degraded', brokers: null, database: { ok: true, last_run: { status: 'failed' } } });
    expect(document.reasons.join(' ')).toMatch(/failed/);
    expect(allUp.requests.flat().length).toBe(before);
  });

  it('exits 3 when the database is unreachable, and never shows its password', async () => {
    const url = `postgres://crawler:${SENTINEL}@127.0.0.1:${closedPort}/stocks`;
    const run = await runCli(['health'], { env: { DATABASE_URL: url, BROKER_URLS: allUp.brokers } });
    expect(run.code, run.stderr).toBe(3);
    const document = health(run.stdout);
    expect(document).toMatchObject({ success: false, status: 'unhealthy', database: { ok: false, kind: 'postgres' } });
    expect(document.database!.error).toMatch(/^E_DB_UNAVAILABLE /);
    expect(document.database!.target).toContain('***');
    expect(run.stdout).not.toContain(SENTINEL);
    expect(run.stderr).not.toContain(SENTINEL);
  });

  it('a bare --brokers checks the mirrors only: an unreachable database does not matter', async () => {
    const url = `postgres://crawler:${SENTINEL}@127.0.0.1:${closedPort}/stocks`;
    const run = await runCli(['health', '--brokers'], { env: { DATABASE_URL: url, BROKER_URLS: allUp.brokers } });
    expect(run.code, run.stderr).toBe(0);
    const document = health(run.stdout);
    expect(document).toMatchObject({ status: 'healthy', database: null });
    expect(document.brokers).toHaveLength(3);
  });

  it('bounds a mirror that never answers by --timeout', async () => {
    const started = performance.now();
    const run = await runCli(['health', '--brokers', '--timeout', '300'], { env: { BROKER_URLS: `hang=${hang.url},${allUp.brokers}` } });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(run.code, run.stderr).toBe(1);
    const hung = health(run.stdout).brokers!.find((b) => b.name === 'hang');
    expect(hung).toMatchObject({ ok: false, error: expect.stringMatching(/^E_MIRROR_TIMEOUT /) });
    expect(hung!.latency_ms).toBeLessThan(1_000);
  });

  it('refuses a bad --timeout with exit 2', async () => {
    const run = await runCli(['health', '--brokers', '--timeout', 'soon'], { env: { BROKER_URLS: allUp.brokers } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/healthTimeoutMs/);
  });
});

describe.runIf(TEST_DATABASE_URL)('stock-crawler health on a PostgreSQL server', () => {
  let farm: MirrorFarm;
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    [farm, database] = await Promise.all([startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: '2026-11-24' }), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([farm?.close(), database?.drop()]);
  });

  it('says a server that was never migrated is unhealthy (run migrate), then healthy after a run', async () => {
    const env = () => ({ DATABASE_URL: database.url, BROKER_URLS: farm.brokers });
    const before = await runCli(['health'], { env: env() });
    expect(before.code, before.stderr).toBe(3);
    expect(health(before.stdout).reasons.join(' ')).toMatch(/migrate/);

    expect((await runCli(['migrate'], { env: env() })).code).toBe(0);
    const never = await runCli(['health'], { env: env() });
    expect(never.code, never.stderr).toBe(1);
    expect(health(never.stdout).reasons.join(' ')).toMatch(/never crawled/);

    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent', poolSize: 1 });
    try {
      const runs = createRunsRepository(handle.db);
      await runs.start({ id: 'server-run', job: 'update', arguments: {}, pid: process.pid, host: 'test' });
      await runs.finish('server-run', 'succeeded', { message: 'ok' });
    } finally {
      await handle.close();
    }
    const after = await runCli(['health'], { env: env() });
    expect(after.code, after.stderr).toBe(0);
    expect(health(after.stdout).database).toMatchObject({ ok: true, kind: 'postgres', last_run: { id: 'server-run' } });
  });
});

