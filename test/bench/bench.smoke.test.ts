import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-cli.js';

const serverUrl = process.env.TEST_DATABASE_URL;

/**
 * `npm run bench` end to end on 50 symbols: the harness starts its farm, prepares each
 * scenario's database, runs the built CLI and reports. The figures are not judged here
 * (a shared test machine says nothing about speed); that every run stored what it should
 * and the document has its shape is.
 */
describe.skipIf(serverUrl === undefined)('bench smoke run', () => {
  it('runs every scenario on 50 symbols and reports figures for each', async () => {
    const admin = new URL(serverUrl as string);
    admin.pathname = '/postgres';
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/bench/bench.ts', '--symbols', '50', '--runs', '1'],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: admin.toString() }, timeout: 240_000, maxBuffer: 16 << 20 },
    );
    const report = JSON.parse(stdout);
    expect(Object.keys(report.scenarios)).toEqual(['backfill', 'nightly', 'polite']);
    for (const [name, { median }] of Object.entries<{ median: Record<string, any> }>(report.scenarios)) {
      expect(median.failed, name).toBe(0);
      expect(median.requests, name).toBe(50);
      expect(median.rows_stored, name).toBe(name === 'backfill' ? 50 * 1440 : 50 * 1441);
      expect(median.rows_written, name).toBe(name === 'backfill' ? 50 * 1440 : 50);
      expect(median.copy_rows, name).toBe(50 * 1440);
      // Keep-alive: never more connections to a mirror than requests it may have in flight.
      for (const connections of median.connections_per_mirror) expect(connections).toBeLessThanOrEqual(median.limits.per_mirror);
      expect(median.wall_s).toBeGreaterThan(0);
      expect(median.peak_rss_mb).toBeGreaterThan(0);
      // The farm saw every request, so the window and its parts are there and add up.
      expect(median.request_window_s).toBeGreaterThan(0);
      expect(median.window_of_ideal).toBeGreaterThan(0);
      expect(median.farm_hold_p50_ms).toBeGreaterThanOrEqual(median.latency_ms);
    }
    expect(report.scenarios.backfill.median.wall_over_copy).toBeGreaterThan(0);
    expect(report.startup_help_ms.samples).toHaveLength(10);
    expect(report.startup_bare_node_ms.samples).toHaveLength(10);
    expect(report.parser.median_mb_s).toBeGreaterThan(0);
  }, 300_000);
});
