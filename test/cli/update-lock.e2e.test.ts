import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchSummarySchema } from '../../src/documents/batch-summary.js';
import { acquireRunLock } from '../../src/db/locks/run-lock.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { backends, createPgliteDir, createTestDatabase } from '../support/databases.js';
import { heldAtGate, startGatedMirror, type GatedMirror } from '../support/gated-mirror.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson, startCli, type StartedCli } from '../support/run-cli.js';

// The children run on the real clock: the mirror's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const SYMBOLS = Array.from({ length: 20 }, (_, i) => String(3000 + i)).join(',');
// The holder's requests wait at the gate until the test opens it: it is provably running
// while the second process starts, however slowly the machine starts it.
const PATIENT = { STOCK_CRAWLER_HEADERS_TIMEOUT_MS: '120000', STOCK_CRAWLER_ATTEMPT_TIMEOUT_MS: '120000', STOCK_CRAWLER_SPACING_MS: '0' };

// Several CLI processes per test, on a machine that may be busy.
vi.setConfig({ testTimeout: 120_000 });

/** Resolves once the child has written `text` to stderr. */
async function stderrShows(cli: StartedCli, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cli.output().stderr.includes(text)) {
    if (Date.now() > deadline) throw new Error(`the child never said "${text}":\n${cli.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

backends.find((backend) => backend.kind === 'postgres')!.describe('stock-crawler update, one run per shard on a server', () => {
  let farm: MirrorFarm;
  let gate: GatedMirror;
  let database: { url: string; drop(): Promise<void> };
  const env = () => ({ DATABASE_URL: database.url, BROKER_URLS: `gate=${gate.url}`, STOCK_CRAWLER_LOG_LEVEL: 'warn', ...PATIENT });

  /** Starts an update whose first request waits at the shut gate, and returns once it is waiting there. */
  async function holding(args: string[]): Promise<{ cli: StartedCli; runId: string }> {
    gate.shut();
    const cli = startCli(['update', '--symbols', SYMBOLS, '--force', ...args], { env: env() });
    await heldAtGate(gate, 1);
    const rows = await query<{ id: string }>(database.url, `select id from crawl_runs where status = 'running'`);
    expect(rows).toHaveLength(1);
    return { cli, runId: rows[0]!.id };
  }

  beforeAll(async () => {
    // A farm without servers: only its deterministic histories are used.
    farm = await startMirrorFarm({ behaviours: [], lastDay: LAST_SESSION });
    [gate, database] = await Promise.all([startGatedMirror({ history: (symbol) => farm.history(symbol) }), createTestDatabase()]);
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: database.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterEach(() => gate.open());
  afterAll(async () => {
    await gate?.close();
    await farm?.close();
    await database?.drop();
  });

  it('refuses a second update of the same shard at once with exit 3, naming the running run; the first finishes', async () => {
    const first = await holding([]);
    const [running] = await query<{ started_at: Date }>(database.url, `select started_at from crawl_runs where id = $1`, [first.runId]);

    const startedAt = Date.now();
    const second = await runCli(['update', '--symbols', '2330'], { env: env() });
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(first.runId);
    expect(second.stderr).toContain(running!.started_at.toISOString());
    expect(singleJson(second.stdout)).toMatchObject({ success: false, error: { code: 'E_LOCK_HELD' } });

    gate.open();
    const done = await first.cli.done;
    expect(done.code, done.stderr).toBe(0);
    expect(batchSummarySchema.parse(singleJson(done.stdout))).toMatchObject({ run_id: first.runId, result: { succeeded: 20 } });
  });

  it('with --wait-lock, waits for the run in progress and then runs', async () => {
    const first = await holding([]);
    const waiter = startCli(['update', '--symbols', '2330', '--wait-lock=60'], { env: { ...env(), STOCK_CRAWLER_LOG_LEVEL: 'info' } });
    await stderrShows(waiter, 'another run holds the run lock: waiting');
    gate.open();
    const [done, second] = await Promise.all([first.cli.done, waiter.done]);
    expect(done.code, done.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const waiterRun = batchSummarySchema.parse(singleJson(second.stdout)).run_id;
    // The waiter's run began only once the holder's had ended.
    const rows = await query<{ id: string; started_at: Date; finished_at: Date }>(database.url, `select id, started_at, finished_at from crawl_runs`);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(waiterRun)!.started_at.getTime()).toBeGreaterThanOrEqual(byId.get(first.runId)!.finished_at.getTime());
  });

  it('does not hold other shards back', async () => {
    const first = await holding(['--shard', '0/2']);
    const held = gate.held();
    const other = startCli(['update', '--symbols', SYMBOLS, '--force', '--shard', '1/2'], { env: env() });
    // Both runs have requests at the gate at once: they run side by side.
    await heldAtGate(gate, held + 1);
    gate.open();
    const done = await other.done;
    expect(done.code, done.stderr).toBe(0);
    expect((await first.cli.done).code).toBe(0);
  });

  it('keeps an unsharded update and sharded ones apart: each refuses the other at once, naming it', async () => {
    const shard = await holding(['--shard', '0/2']);
    const whole = await runCli(['update', '--symbols', '2330'], { env: env() });
    expect(whole.code, whole.stderr).toBe(3);
    expect(whole.stderr).toContain(shard.runId);
    expect(whole.stderr).toContain('shard 0/2');
    gate.open();
    expect((await shard.cli.done).code).toBe(0);

    const unsharded = await holding([]);
    const part = await runCli(['update', '--symbols', SYMBOLS, '--shard', '1/2'], { env: env() });
    expect(part.code, part.stderr).toBe(3);
    expect(part.stderr).toContain(unsharded.runId);
    expect(part.stderr).toContain('unsharded');
    expect(singleJson(part.stdout)).toMatchObject({ error: { code: 'E_LOCK_HELD' } });
    gate.open();
    expect((await unsharded.cli.done).code).toBe(0);
  });

  it('stops waiting for the lock on SIGTERM (143) or SIGINT (130): summary interrupted, no run recorded', async () => {
    const holder = await holding([]);
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const waiter = startCli(['update', '--symbols', '2330,2317', '--wait-lock=120'], { env: { ...env(), STOCK_CRAWLER_LOG_LEVEL: 'info' } });
      await stderrShows(waiter, 'another run holds the run lock: waiting');
      const signalledAt = Date.now();
      waiter.child.kill(signal);
      const stopped = await waiter.done;
      expect(stopped.code, stopped.stderr).toBe(code);
      expect(stopped.exitedAt - signalledAt).toBeLessThan(5_000);
      const summary = batchSummarySchema.parse(singleJson(stopped.stdout));
      expect(summary).toMatchObject({ success: false, interrupted: true, result: { total: 2, processed: 0, aborted: 2 } });
      expect(summary.message).toMatch(/^interrupted while waiting for the run lock/);
      expect(summary.message).toContain(holder.runId);
      expect(await query(database.url, `select id from crawl_runs where id = $1`, [summary.run_id])).toEqual([]);
    }
    gate.open();
    expect((await holder.cli.done).code).toBe(0);
  });

  it('does not wait for the lock when the store cannot be used: an unmigrated server is refused at once', async () => {
    // The store is opened while the lock is taken: its failure must end the wait, not sit behind it.
    const bare = await createTestDatabase();
    const held = await acquireRunLock(bare.url, { job: 'update', shard: null });
    try {
      const startedAt = Date.now();
      const run = await runCli(['update', '--symbols', '2330', '--wait-lock=90'], { env: { DATABASE_URL: bare.url, BROKER_URLS: `gate=${gate.url}` } });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain('migrate');
      expect(Date.now() - startedAt).toBeLessThan(30_000);
    } finally {
      await held.release();
      await bare.drop();
    }
  });

  it('refuses a bad --wait-lock with exit 2', async () => {
    const run = await runCli(['update', '--symbols', '2330', '--wait-lock=soon'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/wait-lock/);
  });
});

describe('stock-crawler update, one run at a time on the embedded database', () => {
  let farm: MirrorFarm;
  let gate: GatedMirror;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: [], lastDay: LAST_SESSION });
    [gate, dataDir] = await Promise.all([startGatedMirror({ history: (symbol) => farm.history(symbol) }), createPgliteDir({ initialized: true })]);
  });
  afterAll(async () => {
    gate?.open();
    await gate?.close();
    await farm?.close();
    await dataDir?.remove();
  });

  it('refuses a second update with exit 3 and one line naming the holder\'s process', async () => {
    const env = { BROKER_URLS: `gate=${gate.url}`, STOCK_CRAWLER_DATA_DIR: dataDir.dir, STOCK_CRAWLER_LOG_LEVEL: 'warn', ...PATIENT };
    const first = startCli(['update', '--symbols', SYMBOLS], { env });
    await heldAtGate(gate, 1);
    const second = await runCli(['update', '--symbols', '2330'], { env });
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/in use by process \d+/);
    expect(singleJson(second.stdout)).toMatchObject({ error: { code: 'E_LOCK_HELD' } });
    gate.open();
    expect((await first.done).code).toBe(0);
  });
});
