import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSummarySchema, type BatchSummary } from '../../src/documents/batch-summary.js';
import { runUpdate, type UpdateRequest } from '../../src/batch/update-run.js';
import { loadConfig } from '../../src/config/load-config.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';

// 18:00 in Taipei (10:00 UTC) on a Wednesday, Thursday and Friday: each day's bars are out.
const WEDNESDAY = Date.UTC(2026, 10, 25, 10, 0);
const THURSDAY = Date.UTC(2026, 10, 26, 10, 0);
const FRIDAY = Date.UTC(2026, 10, 27, 10, 0);

const SYMBOLS = Array.from({ length: 300 }, (_, i) => String(1101 + i * 7));

/** A clock that starts at `at` and runs at real speed, so durations stay real. */
function clockAt(at: number) {
  const started = Date.now();
  return { now: () => at + (Date.now() - started) };
}

const FAST = {
  STOCK_CRAWLER_SPACING_MS: '5',
  STOCK_CRAWLER_CONCURRENCY: '16',
  STOCK_CRAWLER_PER_MIRROR: '4',
  STOCK_CRAWLER_BACKOFF_BASE_MS: '20',
  STOCK_CRAWLER_BACKOFF_MAX_MS: '50',
  STOCK_CRAWLER_CIRCUIT_COOLDOWN_MS: '60000',
};

async function update(
  farm: MirrorFarm,
  databaseUrl: string,
  at: number,
  request: Partial<UpdateRequest> = {},
  env: Record<string, string> = {},
): Promise<{ summary: BatchSummary; exitCode: number }> {
  const { config } = await loadConfig({
    flags: { databaseUrl, brokers: farm.brokers, quiet: true },
    env: { ...FAST, ...env },
  });
  const logger = createLogger({ level: 'silent', pretty: false, write: () => undefined });
  const output = await runUpdate(
    { symbols: SYMBOLS, force: false, full: false, dryRun: false, detailed: false, noSync: false, ...request },
    { config, logger, progress: () => ({ update: () => undefined, stop: () => undefined }), signal: new AbortController().signal, clock: clockAt(at) },
  );
  // Every summary the command prints must match the published shape.
  const summary = batchSummarySchema.parse(JSON.parse(JSON.stringify(output.summary)));
  return { summary, exitCode: output.exitCode };
}

const requestCount = (farm: MirrorFarm): number => farm.requests.reduce((sum, list) => sum + list.length, 0);
const clearRequests = (farm: MirrorFarm): void => farm.requests.forEach((list) => list.splice(0));

// Needs a PostgreSQL server (TEST_DATABASE_URL); the global setup says so loudly when it is missing.
const serverDescribe = TEST_DATABASE_URL ? describe : describe.skip;

serverDescribe('update: 300 symbols over eight loopback mirrors', () => {
  let database: { url: string; drop(): Promise<void> };
  let farm: MirrorFarm;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    await migrateToLatest(handle.db);
    await handle.close();
    // Two mirrors down, one throttling, five healthy.
    farm = await startMirrorFarm({
      behaviours: ['down', 'ok', 'throttle', 'ok', 'down', 'ok', 'ok', 'ok'],
      lastDay: '2026-11-25',
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await farm?.close();
    await database?.drop();
  });

  it('stores every symbol, spreading load over the healthy mirrors and opening the bad ones\' circuits', async () => {
    const { summary, exitCode } = await update(farm, database.url, WEDNESDAY);
    expect(exitCode).toBe(0);
    expect(summary.success).toBe(true);
    expect(summary.result).toMatchObject({ total: 300, processed: 300, succeeded: 300, failed: 0, skipped: 0, revised: 0 });
    const { rows } = await client.query(`select count(distinct stock_code)::int as symbols, count(*)::int as bars from stock_daily_data`);
    expect(rows[0].symbols).toBe(300);
    expect(rows[0].bars).toBe(summary.result.rows.created);

    const brokers = summary.result.brokers;
    for (const bad of ['m0', 'm2', 'm4']) {
      expect(brokers[bad]!.ok).toBe(0);
      // The breaker opens at the fifth failure in a row (every answer of theirs is one). The
      // down mirrors answer at once and reach it within the first symbols; the throttling one
      // says Retry-After: 1, so the crawler waits a second before each next request to it,
      // and whether a run of a few seconds reaches five depends on its pace.
      const opened = brokers[bad]!.circuit_opens >= 1;
      if (bad === 'm2') expect(opened, JSON.stringify(brokers)).toBe(brokers[bad]!.errors >= 5);
      else expect(opened, JSON.stringify(brokers)).toBe(true);
      // Between the breaker and Retry-After, they get a handful of requests.
      expect(brokers[bad]!.requests).toBeLessThan(20);
    }
    // Each first history and one small confirming request from a second mirror.
    const healthy = ['m1', 'm3', 'm5', 'm6', 'm7'].map((name) => brokers[name]!.ok);
    expect(healthy.reduce((a, b) => a + b, 0)).toBe(600);
    for (const ok of healthy) expect(ok).toBeGreaterThan(600 / 5 / 2);
    expect(summary.result.consistency).toEqual({ confirmed: 300, disagreements: 0, unresolved: 0 });
    const confirming = [1, 3, 5, 6, 7].flatMap((index) => farm.requests[index]!).filter((request) => request.count === 10);
    expect(confirming).toHaveLength(300);

    const { rows: runs } = await client.query(`select status, summary->>'run_id' as run_id from crawl_runs`);
    expect(runs).toEqual([{ status: 'succeeded', run_id: summary.run_id }]);
  });

  it('skips everything with no request when run again right after', async () => {
    clearRequests(farm);
    const { summary, exitCode } = await update(farm, database.url, WEDNESDAY);
    expect(exitCode).toBe(0);
    expect(summary.result).toMatchObject({ total: 300, skipped: 300, processed: 0 });
    expect(requestCount(farm)).toBe(0);
  });

  it('asks only for the new bar and a small overlap once the mirrors have one more day', async () => {
    clearRequests(farm);
    farm.setLastDay('2026-11-26');
    const { summary } = await update(farm, database.url, THURSDAY);
    expect(summary.result).toMatchObject({ succeeded: 300, failed: 0, revised: 0 });
    expect(summary.result.rows.created).toBe(300);
    // One new weekday plus the three overlap bars, not the full 2,880.
    const counts = farm.requests.flat().map((request) => request.count);
    expect(Math.max(...counts)).toBe(4);
  });

  it('refetches and rewrites a revised history, and counts it', async () => {
    clearRequests(farm);
    farm.setLastDay('2026-11-27');
    farm.revise(SYMBOLS[0]!, '2026-11-27', 0.95);
    const { summary } = await update(farm, database.url, FRIDAY);
    expect(summary.result).toMatchObject({ succeeded: 300, revised: 1, failed: 0 });
    const full = farm.requests.flat().filter((request) => request.symbol === SYMBOLS[0] && request.count >= 1440);
    expect(full.length).toBeGreaterThanOrEqual(1);
    const expected = farm.history(SYMBOLS[0]!).at(-2)!;
    const { rows } = await client.query(
      `select close_price::float8 as close from stock_daily_data where stock_code = $1 and trade_date = $2`,
      [SYMBOLS[0], expected.day],
    );
    expect(rows[0].close).toBeCloseTo(expected.close, 4);
  });

  it('splits the universe into shards with no overlap and no gap', async () => {
    clearRequests(farm);
    const seen: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { summary } = await update(farm, database.url, FRIDAY, { force: true, dryRun: true }, { STOCK_CRAWLER_SHARD: `${index}/3` });
      expect(summary.result.total).toBeGreaterThan(50);
      seen.push(...new Set(farm.requests.flat().map((request) => request.symbol)));
      clearRequests(farm);
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
  });

  it('stops with exit 3 within its patience when every mirror is down', async () => {
    const down = await startMirrorFarm({ behaviours: ['down', 'down', 'down'], lastDay: '2026-11-27' });
    try {
      const started = Date.now();
      const { summary, exitCode } = await update(down, database.url, FRIDAY, { force: true }, {
        STOCK_CRAWLER_CIRCUIT_COOLDOWN_MS: '300',
        STOCK_CRAWLER_ALL_DOWN_PATIENCE_MS: '1500',
      });
      expect(exitCode).toBe(3);
      expect(summary.success).toBe(false);
      expect(Date.now() - started).toBeLessThan(15_000);
      // It stopped instead of recording a failure for every symbol.
      expect(summary.result.failed).toBeLessThan(100);
      expect(summary.result.aborted).toBeGreaterThan(100);
    } finally {
      await down.close();
    }
  });
});
