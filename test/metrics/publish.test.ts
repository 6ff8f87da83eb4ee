import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRIC } from '../../src/metrics/metric-names.js';
import { publishRunMetrics, startRunMetrics } from '../../src/metrics/publish.js';
import type { RunMetrics } from '../../src/metrics/run-metrics.js';
import type { RunRecord } from '../../src/metrics/run-record.js';
import { find, parseExposition, valueOf } from './exposition.js';
import { capturingLogger, closedPort, startFakePushgateway, warnings } from './fake-pushgateway.js';

const NIGHT_1 = Date.UTC(2026, 10, 24, 10, 5, 0);
const NIGHT_2 = NIGHT_1 + 86_400_000;

const record = (finishedAtMs: number, outcome: { succeeded: boolean; dryRun?: boolean }): RunRecord => ({
  finishedAtMs,
  durationMs: 300_000,
  succeeded: outcome.succeeded,
  dryRun: outcome.dryRun ?? false,
  symbols: { stored: 10, revised: 0, no_data: 0, skipped: 5, failed: outcome.succeeded ? 0 : 3, aborted: 0 },
  rows: { created: 10, updated: 0, unchanged: 30, rejected: 0 },
  circuitOpens: { m0: 0, m1: 1 },
});

async function runMetrics(targets: { metricsFile?: string; pushgateway?: string }, run: RunRecord, shard?: string): Promise<RunMetrics> {
  const metrics = await startRunMetrics(targets, { command: 'update', shard });
  if (metrics === undefined) throw new Error('no metrics although a target was given');
  metrics.observeAttempt({ broker: 'm0', status: 200, ms: 120 });
  metrics.recordRun(run);
  return metrics;
}

let dir: string;
let closers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metrics-publish-'));
});
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
  await rm(dir, { recursive: true, force: true });
});

describe('startRunMetrics', () => {
  it('makes no metrics when no target is configured', async () => {
    expect(await startRunMetrics({}, { command: 'fetch' })).toBeUndefined();
  });
});

describe('publishRunMetrics', () => {
  it('keeps the last success time through a failed run, in the file and on the Pushgateway', async () => {
    const gateway = await startFakePushgateway();
    closers.push(gateway.close);
    const metricsFile = join(dir, 'stock_crawler.prom');
    const targets = { metricsFile, pushgateway: gateway.url };
    const { logger, records } = capturingLogger();

    // Night 1 succeeds: the group is replaced (PUT) and both carry night 1's time.
    await publishRunMetrics(await runMetrics(targets, record(NIGHT_1, { succeeded: true }), '0/4'), targets, logger);
    const first = gateway.received[0]!;
    expect(first).toMatchObject({ method: 'PUT', path: '/metrics/job/stock_crawler/command/update/shard@base64/MC80' });
    expect(valueOf(parseExposition(first.body), METRIC.lastSuccess)).toBe(NIGHT_1 / 1000);
    const firstFile = parseExposition(await readFile(metricsFile, 'utf8'));
    expect(valueOf(firstFile, METRIC.lastSuccess, { shard: '0/4' })).toBe(NIGHT_1 / 1000);
    expect(valueOf(firstFile, METRIC.symbols, { outcome: 'stored' })).toBe(10);

    // Night 2 fails: POST without the family, so the Pushgateway keeps night 1's; the file carries it over.
    await publishRunMetrics(await runMetrics(targets, record(NIGHT_2, { succeeded: false }), '0/4'), targets, logger);
    const second = gateway.received[1]!;
    expect(second.method).toBe('POST');
    const pushed = parseExposition(second.body);
    expect(pushed.types.has(METRIC.lastSuccess)).toBe(false);
    expect(valueOf(pushed, METRIC.runSucceeded)).toBe(0);
    const secondFile = parseExposition(await readFile(metricsFile, 'utf8'));
    expect(valueOf(secondFile, METRIC.lastSuccess)).toBe(NIGHT_1 / 1000);
    expect(valueOf(secondFile, METRIC.runSucceeded)).toBe(0);
    expect(valueOf(secondFile, METRIC.runFinished)).toBe(NIGHT_2 / 1000);
    expect(valueOf(secondFile, METRIC.symbols, { outcome: 'failed' })).toBe(3);

    expect(warnings(records)).toEqual([]);
  });

  it('writes no last success time at all when none was ever recorded', async () => {
    const metricsFile = join(dir, 'stock_crawler.prom');
    const { logger } = capturingLogger();
    // A dry run that succeeded proves nothing about storing.
    await publishRunMetrics(await runMetrics({ metricsFile }, record(NIGHT_1, { succeeded: true, dryRun: true })), { metricsFile }, logger);
    const file = parseExposition(await readFile(metricsFile, 'utf8'));
    expect(find(file, METRIC.lastSuccess)).toEqual([]);
    expect(valueOf(file, METRIC.runSucceeded)).toBe(1);
  });

  it('only warns when the file cannot be written and nothing listens for the push', async () => {
    const targets = { metricsFile: join(dir, 'missing', 'stock_crawler.prom'), pushgateway: `http://127.0.0.1:${await closedPort()}` };
    const { logger, records } = capturingLogger();
    await expect(publishRunMetrics(await runMetrics(targets, record(NIGHT_1, { succeeded: true })), targets, logger)).resolves.toBeUndefined();
    const messages = warnings(records).map((record) => record.msg);
    expect(messages).toEqual(expect.arrayContaining(['could not write the metrics file', 'could not push metrics to the Pushgateway']));
    expect(messages).toHaveLength(2);
  });
});
