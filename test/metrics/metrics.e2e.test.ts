import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSummarySchema } from '../../src/documents/batch-summary.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { METRIC } from '../../src/metrics/metric-names.js';
import { createPgliteDir } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson } from '../support/run-cli.js';
import { find, parseExposition, valueOf, type Exposition } from './exposition.js';
import { closedPort, startFakePushgateway } from './fake-pushgateway.js';

// The child runs on the real clock: the farm's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const SYMBOLS = ['2330', '2317', '0050'];

const sum = (exposition: Exposition, name: string, labels: Record<string, string> = {}): number =>
  find(exposition, name, labels).reduce((total, sample) => total + sample.value, 0);

describe('metrics from the built CLI', () => {
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };
  let gateway: Awaited<ReturnType<typeof startFakePushgateway>>;
  let metricsDir: string;

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: ['ok', 'ok', 'down'], lastDay: LAST_SESSION });
    dataDir = await createPgliteDir({ initialized: true });
    gateway = await startFakePushgateway();
    metricsDir = await mkdtemp(join(tmpdir(), 'metrics-e2e-'));
  });
  afterAll(async () => {
    await farm?.close();
    await dataDir?.remove();
    await gateway?.close();
    if (metricsDir !== undefined) await rm(metricsDir, { recursive: true, force: true });
  });

  const env = () => ({ BROKER_URLS: farm.brokers, STOCK_CRAWLER_DATA_DIR: dataDir.dir, STOCK_CRAWLER_SPACING_MS: '0' });

  it('update writes the metrics file and pushes the same counts to the Pushgateway', async () => {
    const metricsFile = join(metricsDir, 'stock_crawler.prom');
    const startedAt = Date.now() / 1000;
    const run = await runCli(['update', '--symbols', SYMBOLS.join(','), '--metrics-file', metricsFile, '--pushgateway', gateway.url], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    expect(summary.result).toMatchObject({ total: 3, succeeded: 3 });

    const file = parseExposition(await readFile(metricsFile, 'utf8'));
    expect(await readdir(metricsDir)).toEqual(['stock_crawler.prom']);
    expect(gateway.received).toHaveLength(1);
    const push = gateway.received[0]!;
    expect(push).toMatchObject({ method: 'PUT', path: '/metrics/job/stock_crawler/command/update/shard/all' });
    expect(push.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const pushed = parseExposition(push.body);

    for (const exposition of [file, pushed]) {
      expect(valueOf(exposition, METRIC.symbols, { outcome: 'stored', command: 'update', shard: 'all' })).toBe(3);
      expect(valueOf(exposition, METRIC.rows, { kind: 'created' })).toBe(summary.result.rows.created);
      // Every symbol was delivered once; the mirror that is down answered 503s, if it was asked at all.
      // Each first history, and a second mirror's confirmation of its newest bars.
      expect(sum(exposition, METRIC.requests, { outcome: 'ok' })).toBe(6);
      expect(sum(exposition, METRIC.requests)).toBe(farm.requests.flat().length);
      expect(find(exposition, METRIC.requests).every((s) => s.labels.outcome === 'ok' || s.labels.outcome === 'http_5xx')).toBe(true);
      expect(sum(exposition, `${METRIC.requestDuration}_count`)).toBe(farm.requests.flat().length);
      expect(find(exposition, METRIC.circuitOpens).map((s) => s.labels.mirror).sort()).toEqual(['m0', 'm1', 'm2']);
      expect(valueOf(exposition, METRIC.runSucceeded)).toBe(1);
      expect(valueOf(exposition, METRIC.lastSuccess)).toBeGreaterThanOrEqual(Math.floor(startedAt));
      expect(valueOf(exposition, METRIC.runDuration)).toBeCloseTo(summary.result.duration_ms / 1000, 2);
      const labelValues = exposition.samples.flatMap((s) => Object.values(s.labels));
      for (const symbol of SYMBOLS) expect(labelValues).not.toContain(symbol);
    }
  });

  it('fetch publishes its own group; a Pushgateway that is down is only a warning', async () => {
    const metricsFile = join(metricsDir, 'fetch.prom');
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(['fetch', '2330', '--dry-run', '--metrics-file', metricsFile, '--pushgateway', url], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(singleJson(run.stdout)).toMatchObject({ success: true, stock_code: '2330' });
    const logs = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logs).toContainEqual(expect.objectContaining({ level: 40, msg: 'could not push metrics to the Pushgateway' }));

    const file = parseExposition(await readFile(metricsFile, 'utf8'));
    expect(valueOf(file, METRIC.symbols, { outcome: 'stored', command: 'fetch', shard: 'all' })).toBe(1);
    expect(sum(file, METRIC.requests, { outcome: 'ok' })).toBe(2);
    // A dry run stores nothing, so it is not a success to alert on.
    expect(find(file, METRIC.lastSuccess)).toEqual([]);
  });
});
