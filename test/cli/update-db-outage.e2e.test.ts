import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { batchSummarySchema } from '../../src/documents/batch-summary.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson, startCli, type StartedCli } from '../support/run-cli.js';
import { notWhole, storedBars } from '../support/stored-bars.js';
import { describeWithCluster, startThrowawayCluster, type ThrowawayCluster } from '../support/throwaway-cluster.js';

// CLI processes and a database server stopped and started, on a machine that may be busy.
vi.setConfig({ testTimeout: 120_000 });

// The children run on the real clock: the farm's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
// Short histories keep the writes quick; two requests at a time, 40 ms each: ~50 symbols a second.
const MAX_BARS = 120;
const PACED = ['--concurrency', '2', '--per-mirror', '1'];
const symbolsFrom = (first: number, count: number): string[] => Array.from({ length: count }, (_, i) => String(first + i));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithCluster('stock-crawler update while its PostgreSQL server goes away', () => {
  let cluster: ThrowawayCluster;
  let farm: MirrorFarm;
  const env = (retryMs: number) => ({
    DATABASE_URL: cluster.url(),
    BROKER_URLS: farm.brokers,
    STOCK_CRAWLER_SPACING_MS: '0',
    STOCK_CRAWLER_LOG_LEVEL: 'warn',
    STOCK_CRAWLER_DB_RETRY_MS: String(retryMs),
  });
  const requests = () => farm.requests.flat().length;
  // What a full fetch returns: the whole history up to the farm's cap.
  const whole = (symbol: string) => farm.history(symbol).slice(-MAX_BARS);

  /** Stored symbols among `symbols`; fails the test if any of them is not exactly what the farm serves. */
  async function storedWhole(symbols: readonly string[]): Promise<string[]> {
    const stored = await storedBars(cluster.url());
    const ours = new Map([...stored].filter(([symbol]) => symbols.includes(symbol)));
    expect(notWhole(ours, whole)).toEqual([]);
    return [...ours.keys()].sort();
  }

  /** Resolves once `count` of `symbols` are stored: the run is provably mid-way. */
  async function storedAtLeast(symbols: readonly string[], count: number, run: StartedCli): Promise<void> {
    const client = new pg.Client({ connectionString: cluster.url() });
    await client.connect();
    try {
      for (const deadline = Date.now() + 30_000; ; await sleep(20)) {
        const { rows } = await client.query<{ n: number }>(
          'select count(distinct stock_code)::int as n from stock_daily_data where stock_code = any($1)',
          [symbols],
        );
        if (rows[0]!.n >= count) return;
        if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} symbols stored:\n${run.output().stderr}`);
      }
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    [cluster, farm] = await Promise.all([
      startThrowawayCluster(),
      startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: LAST_SESSION, latencyMs: 40, maxBars: MAX_BARS }),
    ]);
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: cluster.url() } });
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(async () => {
    await farm?.close();
    await cluster?.remove();
  });

  it('a crash and restart within dbRetryMs: fetching pauses, the run goes on, exits 0, every symbol stored whole', async () => {
    const symbols = symbolsFrom(5000, 80);
    const run = startCli(['update', '--symbols', symbols.join(','), ...PACED], { env: env(30_000) });
    await storedAtLeast(symbols, 10, run);

    await cluster.stop('immediate');
    const atStop = requests();
    await sleep(1_000);
    // The writer admits nothing while it retries, so the pipeline stops taking symbols:
    // no request at all in the second half of the outage.
    const paused = requests();
    await sleep(800);
    expect(requests()).toBe(paused);
    expect(paused - atStop).toBeLessThan(30);
    await cluster.start();

    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain('database unavailable: retrying');
    const summary = batchSummarySchema.parse(singleJson(done.stdout));
    expect(summary).toMatchObject({ success: true, result: { total: 80, succeeded: 80, failed: 0, aborted: 0 } });
    expect(await storedWhole(symbols)).toEqual([...symbols].sort());

    // The bookkeeping survived too: the run is recorded as finished.
    const client = new pg.Client({ connectionString: cluster.url() });
    await client.connect();
    try {
      const { rows } = await client.query('select status from crawl_runs where id = $1', [summary.run_id]);
      expect(rows).toEqual([{ status: 'succeeded' }]);
    } finally {
      await client.end();
    }
  });

  it('down past dbRetryMs: no more fetching, exit 3 with E_DB_UNAVAILABLE, each symbol whole or absent; the next run completes the rest', async () => {
    const symbols = symbolsFrom(6000, 80);
    const retryMs = 2_500;
    const run = startCli(['update', '--symbols', symbols.join(','), ...PACED], { env: env(retryMs) });
    await storedAtLeast(symbols, 10, run);

    await cluster.stop('fast');
    const stoppedAt = Date.now();
    const atStop = requests();
    const done = await run.done;
    expect(done.code, done.stderr).toBe(3);
    // It waited for the bound, then stopped instead of waiting on.
    expect(done.exitedAt - stoppedAt).toBeGreaterThanOrEqual(retryMs - 200);
    expect(done.exitedAt - stoppedAt).toBeLessThan(retryMs + 10_000);
    // Nothing the database could not take was fetched meanwhile.
    expect(requests() - atStop).toBeLessThan(30);

    const summary = batchSummarySchema.parse(singleJson(done.stdout));
    expect(summary.success).toBe(false);
    expect(summary.message).toContain('E_DB_UNAVAILABLE');
    expect(summary.result.failed).toBe(0);
    expect(summary.result.aborted).toBeGreaterThan(0);

    await cluster.start();
    const stored = await storedWhole(symbols);
    expect(stored.length).toBeGreaterThanOrEqual(10);
    expect(stored.length).toBeLessThan(80);

    const rerun = await runCli(['update', '--symbols', symbols.join(','), '--concurrency', '4', '--per-mirror', '2'], { env: env(retryMs) });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(batchSummarySchema.parse(singleJson(rerun.stdout)).result).toMatchObject({
      total: 80,
      skipped: stored.length,
      succeeded: 80 - stored.length,
      failed: 0,
    });
    // Rows lost: none; wrong rows: none. The table holds exactly what the farm serves.
    expect(await storedWhole(symbols)).toEqual([...symbols].sort());
    const all = await storedBars(cluster.url());
    const rows = symbols.reduce((sum, symbol) => sum + (all.get(symbol)?.length ?? 0), 0);
    expect(rows).toBe(80 * MAX_BARS);
  });
});
