import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { batchSummarySchema, type BatchSummary } from '../../src/documents/batch-summary.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { backends, createTestDatabase } from '../support/databases.js';
import { heldAtGate, startGatedMirror, type GatedMirror } from '../support/gated-mirror.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson, startCli, type StartedCli } from '../support/run-cli.js';
import { notWhole, storedBars } from '../support/stored-bars.js';

// Several CLI processes per test, on a machine that may be busy.
vi.setConfig({ testTimeout: 120_000 });

// The children run on the real clock: the mirror's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const symbolsFrom = (first: number, count: number): string[] => Array.from({ length: count }, (_, i) => String(first + i));
// One mirror, four requests in flight (and sixteen symbols started): a run is provably
// mid-way once four requests wait at the gate.
const IN_FLIGHT = ['--concurrency', '4', '--per-mirror', '4'];
// Only the gate holds requests back: no client timeout may end them first.
const PATIENT = { STOCK_CRAWLER_HEADERS_TIMEOUT_MS: '120000', STOCK_CRAWLER_ATTEMPT_TIMEOUT_MS: '120000', STOCK_CRAWLER_SPACING_MS: '0' };

async function stderrShows(cli: StartedCli, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cli.output().stderr.includes(text)) {
    if (Date.now() > deadline) throw new Error(`the child never said "${text}":\n${cli.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

backends.find((backend) => backend.kind === 'postgres')!.describe('stock-crawler update, stopped by a signal and run again [postgres]', () => {
  let farm: MirrorFarm;
  let gate: GatedMirror;
  let database: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    BROKER_URLS: `gate=${gate.url}`,
    STOCK_CRAWLER_LOG_LEVEL: 'warn',
    ...PATIENT,
    ...extra,
  });
  // What the mirror serves for a full fetch: the whole history up to its cap.
  const whole = (symbol: string) => farm.history(symbol).slice(-1440);

  /** Stored symbols among `symbols`; fails the test if any of them is not whole. */
  async function storedWhole(symbols: readonly string[]): Promise<string[]> {
    const stored = await storedBars(database.url);
    const ours = new Map([...stored].filter(([symbol]) => symbols.includes(symbol)));
    expect(notWhole(ours, whole)).toEqual([]);
    return [...ours.keys()];
  }

  async function runRow(runId: string) {
    const { rows } = await client.query<{ status: string; finished_at: Date | null; interrupted: boolean | null }>(
      `select status, finished_at, (summary->>'interrupted')::boolean as interrupted from crawl_runs where id = $1`,
      [runId],
    );
    return rows[0];
  }

  /** The rerun after an interruption: exit 0, every symbol whole, what was stored before skipped. */
  async function rerunCompletes(symbols: string[], storedBefore: number): Promise<BatchSummary> {
    gate.open();
    const rerun = await runCli(['update', '--symbols', symbols.join(','), ...IN_FLIGHT], { env: env() });
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(rerun.stdout));
    expect(summary.result).toMatchObject({ total: symbols.length, skipped: storedBefore, succeeded: symbols.length - storedBefore, failed: 0 });
    expect((await storedWhole(symbols)).sort()).toEqual([...symbols].sort());
    expect(await runRow(summary.run_id)).toMatchObject({ status: 'succeeded' });
    return summary;
  }

  beforeAll(async () => {
    // A farm without servers: only its deterministic histories are used.
    farm = await startMirrorFarm({ behaviours: [], lastDay: LAST_SESSION });
    [gate, database] = await Promise.all([startGatedMirror({ history: (symbol) => farm.history(symbol) }), createTestDatabase()]);
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: database.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    gate?.open();
    await client?.end();
    await gate?.close();
    await farm?.close();
    await database?.drop();
  });

  it('SIGTERM mid-way: symbols in flight finish and are committed whole, no new one starts, exit 143, recorded interrupted; a rerun completes', async () => {
    const symbols = symbolsFrom(4000, 40);
    gate.shut();
    const run = startCli(['update', '--symbols', symbols.join(','), ...IN_FLIGHT], { env: env() });
    await heldAtGate(gate, 1);
    // Let a dozen through, then hold four in flight.
    gate.open();
    while (gate.requested.length < 12) await new Promise((resolve) => setTimeout(resolve, 5));
    gate.shut();
    await heldAtGate(gate, 4);

    const signalledAt = Date.now();
    run.child.kill('SIGTERM');
    await stderrShows(run, 'stopping: no new symbols');
    // The requests in flight answer well within the grace period: their symbols complete.
    gate.open();
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(143);
    // It exited by itself once they were committed, not when the 20 s grace ran out.
    expect(stopped.exitedAt - signalledAt).toBeLessThan(15_000);

    const summary = batchSummarySchema.parse(singleJson(stopped.stdout));
    expect(summary).toMatchObject({ success: false, interrupted: true, result: { total: 40, failed: 0 } });
    expect(summary.result.succeeded).toBeGreaterThanOrEqual(16);
    expect(summary.result.aborted).toBeGreaterThan(0);
    expect(summary.result.succeeded + summary.result.aborted).toBe(40);
    expect(gate.abandoned()).toBe(0);
    expect(await runRow(summary.run_id)).toMatchObject({ status: 'interrupted', interrupted: true, finished_at: expect.any(Date) });

    const stored = await storedWhole(symbols);
    expect(stored).toHaveLength(summary.result.succeeded);

    await rerunCompletes(symbols, stored.length);
  });

  it('SIGINT, and the grace period runs out: requests still in flight are cancelled, nothing of theirs is written, exit 130 right after the grace', async () => {
    const symbols = symbolsFrom(4100, 40);
    const abandonedBefore = gate.abandoned();
    gate.shut();
    const run = startCli(['update', '--symbols', symbols.join(','), ...IN_FLIGHT], { env: env({ STOCK_CRAWLER_SHUTDOWN_GRACE_MS: '2000' }) });
    await heldAtGate(gate, 1);
    gate.open();
    while (gate.requested.filter((symbol) => symbols.includes(symbol)).length < 8) await new Promise((resolve) => setTimeout(resolve, 5));
    gate.shut();
    await heldAtGate(gate, 4);
    const held = gate.held();

    const signalledAt = Date.now();
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const elapsed = stopped.exitedAt - signalledAt;
    // Not before the grace ran out (the held requests could still have answered) …
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    // … and soon after: aborted requests, closed sockets, no worker thread or connection left to wait for.
    expect(elapsed).toBeLessThan(12_000);
    // The mirror sees each held request's connection go (reported on its own event loop turn).
    await vi.waitFor(() => expect(gate.abandoned() - abandonedBefore).toBe(held), { timeout: 2_000 });
    expect(gate.held()).toBe(0);

    const summary = batchSummarySchema.parse(singleJson(stopped.stdout));
    expect(summary).toMatchObject({ success: false, interrupted: true, result: { total: 40, failed: 0 } });
    expect(summary.result.succeeded).toBeGreaterThanOrEqual(8);
    expect(summary.result.succeeded + summary.result.aborted).toBe(40);
    expect(await runRow(summary.run_id)).toMatchObject({ status: 'interrupted', interrupted: true });

    const stored = await storedWhole(symbols);
    expect(stored).toHaveLength(summary.result.succeeded);

    await rerunCompletes(symbols, stored.length);
  });

  it('a second signal ends the process at once; its session and lock die with it, and the next run starts and completes', async () => {
    const symbols = symbolsFrom(4200, 20);
    gate.shut();
    const run = startCli(['update', '--symbols', symbols.join(','), ...IN_FLIGHT], { env: env({ STOCK_CRAWLER_SHUTDOWN_GRACE_MS: '60000' }) });
    await heldAtGate(gate, 4);
    run.child.kill('SIGTERM');
    await stderrShows(run, 'stopping: no new symbols');
    const secondAt = Date.now();
    run.child.kill('SIGTERM');
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.exitedAt - secondAt).toBeLessThan(5_000);
    expect(stopped.stderr).toContain('second signal: exiting now');

    // Nothing was written for the held symbols, and no lock outlives the process.
    expect(await storedWhole(symbols)).toEqual([]);
    await rerunCompletes(symbols, 0);
  });
});
