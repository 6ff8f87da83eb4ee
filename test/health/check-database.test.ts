import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDailyBarsRepository } from '../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection/open-database.js';
import { createRunsRepository } from '../../src/db/runs/runs-repository.js';
import { checkDatabase, type CheckDatabaseOptions } from '../../src/health/check-database.js';
import { saveBars } from '../support/save-bars.js';
import { bar, createLegacySchema } from '../db/helpers.js';
import { backends, createPgliteDir, createTestDatabase, type TestBackend } from '../support/databases.js';
import { freePort } from '../support/ports.js';

const SENTINEL = 's3cr3t-sentinel';

/** A database of `backend` with the options checkDatabase needs to reach it. */
interface Place {
  options: CheckDatabaseOptions;
  open(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

async function place(backend: TestBackend): Promise<Place> {
  if (backend.kind === 'postgres') {
    const database = await createTestDatabase();
    return {
      options: { databaseUrl: database.url, dataDir: '/nonexistent', timeoutMs: 5_000, markets: ['TSE', 'TPEx'] },
      open: () => openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent', poolSize: 2 }),
      drop: database.drop,
    };
  }
  const { dir, remove } = await createPgliteDir({ initialized: true });
  return {
    options: { dataDir: dir, timeoutMs: 5_000, markets: ['TSE', 'TPEx'] },
    open: () => openDatabase({ dataDir: dir, migrateEmbedded: false }),
    drop: remove,
  };
}

/** Runs `work` on an open handle and closes it: the embedded database admits one holder. */
async function withHandle<T>(p: Place, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await p.open();
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

for (const backend of backends) {
  backend.describe(`checkDatabase [${backend.kind}]`, () => {
    let empty: Place;
    let crawled: Place;
    let legacy: Place;

    beforeAll(async () => {
      [empty, crawled, legacy] = await Promise.all([place(backend), place(backend), place(backend)]);
      await withHandle(crawled, async (handle) => {
        await migrateToLatest(handle.db);
        const bars = await createDailyBarsRepository(handle.db);
        await saveBars(bars, [bar('2330', '2024-01-02', 590), bar('2330', '2024-01-03', 593), bar('2317', '2024-01-02', 104)], 'm0');
        const runs = createRunsRepository(handle.db);
        await runs.start({ id: 'older', job: 'update', arguments: {}, pid: 1, host: 'h' });
        await runs.finish('older', 'succeeded', { message: 'ok' });
        await runs.start({ id: 'newer', job: 'update', arguments: {}, pid: 1, host: 'h' });
        await runs.finish('newer', 'partial', { message: '1 failed' });
        await sql`update crawl_runs set started_at = now() - interval '2 hours' where id = 'older'`.execute(handle.db);
      });
      await withHandle(legacy, async (handle) => {
        await createLegacySchema(handle.db);
        await migrateToLatest(handle.db);
        await saveBars(await createDailyBarsRepository(handle.db), [bar('2330', '2024-03-08', 700), bar('0050', '2024-03-07', 150)], 'm0');
      });
    });
    afterAll(async () => {
      await Promise.all([empty?.drop(), crawled?.drop(), legacy?.drop()]);
    });

    it('reports an unmigrated database: connected, tables missing, no run', async () => {
      const check = await checkDatabase(empty.options);
      expect(check).toMatchObject({ ok: true, kind: backend.kind, error: null, newestTradeDate: null, lastRun: null });
      expect(check.schema).toMatchObject({ current: false, missingTables: ['stocks', 'stock_daily_data'] });
    });

    it('reads the schema, the newest trading day, the last update run and the server clock', async () => {
      const check = await checkDatabase(crawled.options);
      expect(check).toMatchObject({ ok: true, error: null, inUseBy: null, newestTradeDate: '2024-01-03' });
      expect(check.schema).toEqual({ current: true, pending: [], unknown: [], missingTables: [], problem: null });
      expect(check.lastRun).toMatchObject({ id: 'newer', job: 'update', status: 'partial', shard: null });
      expect(check.lastRun!.finishedAt).toBeGreaterThanOrEqual(check.lastRun!.startedAt);
      expect(Math.abs(check.serverNow! - Date.now())).toBeLessThan(60_000);
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    });

    it('sees a running row and its heartbeat', async () => {
      await withHandle(crawled, async (handle) => {
        await createRunsRepository(handle.db).start({ id: 'dead', job: 'update', arguments: {}, pid: 1, host: 'h' });
        await sql`update crawl_runs set heartbeat_at = now() - interval '1 hour' where id = 'dead'`.execute(handle.db);
      });
      const check = await checkDatabase(crawled.options);
      expect(check.lastRun).toMatchObject({ id: 'dead', status: 'running', finishedAt: null });
      expect(check.serverNow! - check.lastRun!.heartbeatAt).toBeGreaterThan(59 * 60_000);
    });

    it("reads the newest day of the backend's timestamp column as a trading day", async () => {
      const check = await checkDatabase(legacy.options);
      expect(check).toMatchObject({ ok: true, newestTradeDate: '2024-03-08', lastRun: null });
      expect(check.schema?.current).toBe(true);
    });
  });
}

describe('checkDatabase, a server that is not there', () => {
  let silent: Server;
  let sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts connections and never says a word: a hung server.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('reports a refused connection without the password', async () => {
    const closed = await freePort();
    const check = await checkDatabase({ databaseUrl: `postgres://crawler:${SENTINEL}@127.0.0.1:${closed}/stocks`, dataDir: '/nonexistent', timeoutMs: 2_000, markets: [] });
    expect(check).toMatchObject({ ok: false, kind: 'postgres', schema: null, lastRun: null });
    expect(check.error).toMatch(/^E_DB_UNAVAILABLE /);
    expect(check.target).toContain('***');
    expect(JSON.stringify(check)).not.toContain(SENTINEL);
  });

  it('gives up on a hung server within the time limit', async () => {
    const { port } = silent.address() as AddressInfo;
    const started = performance.now();
    const check = await checkDatabase({ databaseUrl: `postgres://crawler:${SENTINEL}@127.0.0.1:${port}/stocks`, dataDir: '/nonexistent', timeoutMs: 300, markets: [] });
    expect(performance.now() - started).toBeLessThan(2_500); // 300 ms, with room for a loaded machine
    expect(check.ok).toBe(false);
    expect(check.error).toMatch(/^E_DB_UNAVAILABLE /);
    expect(JSON.stringify(check)).not.toContain(SENTINEL);
  });

  it('reports a URL it cannot parse, masked', async () => {
    const check = await checkDatabase({ databaseUrl: `postgres://crawler:${SENTINEL}@[bad/stocks`, dataDir: '/nonexistent', timeoutMs: 1_000, markets: [] });
    expect(check.ok).toBe(false);
    expect(check.error).toMatch(/^E_USAGE /);
    expect(JSON.stringify(check)).not.toContain(SENTINEL);
  });
});

describe('checkDatabase, the embedded database', () => {
  it('reports a missing embedded database without creating one', async () => {
    const { dir, remove } = await createPgliteDir();
    try {
      const check = await checkDatabase({ dataDir: dir, timeoutMs: 1_000, markets: ['TSE', 'TPEx'] });
      expect(check).toMatchObject({ ok: false, kind: 'pglite', target: dir, inUseBy: null });
      expect(check.error).toMatch(/^E_DB_UNAVAILABLE .*nothing crawled/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await remove();
    }
  });

  it('reports a database held by a live process as in use, without opening it', async () => {
    // Only the marker file: a database held by another process must not even be opened.
    const { dir, remove } = await createPgliteDir();
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'PG_VERSION'), '17\n');
      await writeFile(`${dir}.lock`, `${process.pid}\n`);
      const check = await checkDatabase({ dataDir: dir, timeoutMs: 1_000, markets: ['TSE', 'TPEx'] });
      expect(check).toMatchObject({ ok: false, inUseBy: process.pid });
    } finally {
      await remove();
    }
  });
});

