import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSummarySchema } from '../../src/batch/summary.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { backends, createPgliteDir, createTestDatabase } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson, type CliRun } from '../support/run-cli.js';

// The children run on the real clock: the farm's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
// 20 symbols, one request each, one at a time per mirror on two mirrors at 250 ms each: ~2.5 s.
const SYMBOLS = Array.from({ length: 20 }, (_, i) => String(3000 + i)).join(',');
const SLOW = ['--concurrency', '2', '--per-mirror', '1'];

/** Resolves once the farm has seen `count` requests (the first run is under way). */
async function requestsSeen(farm: MirrorFarm, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (farm.requests.flat().length < count) {
    if (Date.now() > deadline) throw new Error('the first run sent no request');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

backends.find((backend) => backend.kind === 'postgres')!.describe('stock-crawler update, one run per shard on a server', () => {
  let farm: MirrorFarm;
  let database: { url: string; drop(): Promise<void> };
  const env = () => ({ DATABASE_URL: database.url, BROKER_URLS: farm.brokers, STOCK_CRAWLER_SPACING_MS: '0', STOCK_CRAWLER_LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    [farm, database] = await Promise.all([
      startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: LAST_SESSION, latencyMs: 250 }),
      createTestDatabase(),
    ]);
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: database.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(async () => {
    await farm?.close();
    await database?.drop();
  });

  it('refuses a second update of the same shard at once with exit 3, naming the running run; the first finishes', async () => {
    const before = farm.requests.flat().length;
    const first = runCli(['update', '--symbols', SYMBOLS, ...SLOW], { env: env() });
    await requestsSeen(farm, before + 1);
    const [running] = await query<{ id: string; started_at: Date }>(database.url, `select id, started_at from crawl_runs where status = 'running'`);

    const startedAt = Date.now();
    const second = await runCli(['update', '--symbols', '2330'], { env: env() });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(running!.id);
    expect(second.stderr).toContain(running!.started_at.toISOString());
    expect(singleJson(second.stdout)).toMatchObject({ success: false, error: { code: 'E_LOCK_HELD' } });

    const done: CliRun = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(batchSummarySchema.parse(singleJson(done.stdout))).toMatchObject({ run_id: running!.id, result: { succeeded: 20 } });
  });

  it('with --wait-lock, waits for the run in progress and then runs', async () => {
    const before = farm.requests.flat().length;
    const first = runCli(['update', '--symbols', SYMBOLS, '--force', ...SLOW], { env: env() });
    await requestsSeen(farm, before + 1);
    const second = await runCli(['update', '--symbols', '2330', '--wait-lock=30'], { env: env() });
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const waiter = batchSummarySchema.parse(singleJson(second.stdout)).run_id;
    const holder = batchSummarySchema.parse(singleJson(done.stdout)).run_id;
    // The waiter's run began only once the holder's had ended.
    const rows = await query<{ id: string; started_at: Date; finished_at: Date }>(database.url, `select id, started_at, finished_at from crawl_runs`);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(waiter)!.started_at.getTime()).toBeGreaterThanOrEqual(byId.get(holder)!.finished_at.getTime());
  });

  it('does not hold other shards back', async () => {
    const before = farm.requests.flat().length;
    const first = runCli(['update', '--symbols', SYMBOLS, '--force', '--shard', '0/2', ...SLOW], { env: env() });
    await requestsSeen(farm, before + 1);
    const other = await runCli(['update', '--symbols', SYMBOLS, '--shard', '1/2'], { env: env() });
    expect(other.code, other.stderr).toBe(0);
    expect((await first).code).toBe(0);
  });

  it('refuses a bad --wait-lock with exit 2', async () => {
    const run = await runCli(['update', '--symbols', '2330', '--wait-lock=soon'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/wait-lock/);
  });
});

describe('stock-crawler update, one run at a time on the embedded database', () => {
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    [farm, dataDir] = await Promise.all([
      startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: LAST_SESSION, latencyMs: 250 }),
      createPgliteDir({ initialized: true }),
    ]);
  });
  afterAll(async () => {
    await farm?.close();
    await dataDir?.remove();
  });

  it('refuses a second update with exit 3 and one line naming the holder\'s process', async () => {
    const env = { BROKER_URLS: farm.brokers, STOCK_CRAWLER_DATA_DIR: dataDir.dir, STOCK_CRAWLER_SPACING_MS: '0', STOCK_CRAWLER_LOG_LEVEL: 'warn' };
    const first = runCli(['update', '--symbols', SYMBOLS, ...SLOW], { env });
    await requestsSeen(farm, 1);
    const second = await runCli(['update', '--symbols', '2330'], { env });
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/in use by process \d+/);
    expect(singleJson(second.stdout)).toMatchObject({ error: { code: 'E_LOCK_HELD' } });
    expect((await first).code).toBe(0);
  });
});
