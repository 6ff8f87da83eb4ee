import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSummarySchema } from '../../src/documents/batch-summary.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { createPgliteDir } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson } from '../support/run-cli.js';

// The child runs on the real clock: the farm's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));

describe('stock-crawler update, the built CLI on the embedded database', () => {
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: ['ok', 'ok', 'down'], lastDay: LAST_SESSION });
    dataDir = await createPgliteDir({ initialized: true });
  });
  afterAll(async () => {
    await farm?.close();
    await dataDir?.remove();
  });

  const env = () => ({ BROKER_URLS: farm.brokers, STOCK_CRAWLER_DATA_DIR: dataDir.dir, STOCK_CRAWLER_SPACING_MS: '0', STOCK_CRAWLER_PROGRESS_INTERVAL_MS: '100' });

  it('crawls a symbol list, prints the batch summary and logs progress lines on a non-TTY stderr', async () => {
    const run = await runCli(['update', '--symbols', '2330,2317,0050,00878,00631L'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    expect(summary).toMatchObject({ success: true, interrupted: false, dry_run: false, source: 'node' });
    expect(summary.result).toMatchObject({ total: 5, succeeded: 5, failed: 0 });
    const records = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(records.map((record) => record.msg)).toEqual(expect.arrayContaining(['update started', 'update finished']));
  });

  it('skips the same list on a second run, and the list can come from stdin', async () => {
    const child = spawn(process.execPath, [BIN, 'update', '--symbols-file', '-'], { env: { PATH: process.env.PATH ?? '', ...env() } });
    child.stdin.end('# the usual\n2330\n2317 # TSMC and Hon Hai\n0050,00878\n00631L\n');
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(batchSummarySchema.parse(singleJson(stdout)).result).toMatchObject({ total: 5, skipped: 5, processed: 0 });
  });

  it('refuses a symbol list with a bad line: exit 2, the line named, nothing fetched', async () => {
    const before = farm.requests.flat().length;
    const run = await runCli(['update', '--symbols', '2330,23X0,2317'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/23X0/);
    expect(farm.requests.flat().length).toBe(before);
  });

  it('refuses a bad shard with exit 2', async () => {
    const run = await runCli(['update', '--symbols', '2330', '--shard', '3/2'], { env: env() });
    expect(run.code).toBe(2);
  });
});

describe('stock-crawler update, interrupted', () => {
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: LAST_SESSION, latencyMs: 200 });
    dataDir = await createPgliteDir({ initialized: true });
  });
  afterAll(async () => {
    await farm?.close();
    await dataDir?.remove();
  });

  it('stops on SIGTERM: finishes what is in flight, prints the summary marked interrupted, exits 143', async () => {
    const symbols = Array.from({ length: 200 }, (_, i) => String(2000 + i)).join(',');
    const child = spawn(process.execPath, [BIN, 'update', '--symbols', symbols, '--concurrency', '2', '--per-mirror', '1'], {
      env: { PATH: process.env.PATH ?? '', BROKER_URLS: farm.brokers, STOCK_CRAWLER_DATA_DIR: dataDir.dir, STOCK_CRAWLER_SPACING_MS: '0' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Wait until requests are flowing, then ask it to stop.
    while (farm.requests.flat().length < 4) await new Promise((resolve) => setTimeout(resolve, 50));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(143);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    const summary = batchSummarySchema.parse(singleJson(stdout));
    expect(summary.interrupted).toBe(true);
    expect(summary.success).toBe(false);
    expect(summary.result.aborted).toBeGreaterThan(100);
    expect(summary.result.succeeded).toBeGreaterThan(0);
  });
});
