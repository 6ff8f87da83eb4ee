import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-cli.js';
import type { BenchDocument } from './bench-document.js';

const serverUrl = process.env.TEST_DATABASE_URL;
const run = promisify(execFile);
const N = 30;

function bench(args: string[], env: Record<string, string>, timeout: number) {
  return run(process.execPath, ['--import', 'tsx', 'test/bench/bench.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout,
    maxBuffer: 64 << 20,
  });
}

describe('bench environment', () => {
  it('refuses to run (exit 2, one line naming them) while variables would change the crawler defaults', async () => {
    const refused = await bench(['--symbols', '5'], { STOCK_CRAWLER_PARSER_THREADS: '0', NODE_OPTIONS: '--max-old-space-size=96' }, 60_000).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refused).not.toBeNull();
    expect(refused?.code).toBe(2);
    expect(refused?.stdout).toBe('');
    expect(refused?.stderr).toMatch(/^bench: refusing to run: NODE_OPTIONS, STOCK_CRAWLER_PARSER_THREADS are set/m);
  }, 90_000);
});

/**
 * `npm run bench -- --scenario all` end to end on 30 symbols (scale at 20 and 40): the
 * harness starts its farms, prepares each database, runs the built CLI and reports. The
 * figures are not judged against the targets here (a shared test machine says nothing
 * about speed); that every run stored what it should, and that the figures exist, agree
 * with each other and come from one invocation, is.
 */
describe.skipIf(serverUrl === undefined)('bench smoke run', () => {
  let out: string;
  let chart: string;
  let doc: BenchDocument;
  let tables: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    chart = join(out, 'scale.svg');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every scenario in one invocation and prints one document and the tables', async () => {
    const admin = new URL(serverUrl as string);
    admin.pathname = '/postgres';
    const args = ['--scenario', 'all', '--symbols', String(N), '--runs', '1', '--scale-sizes', '20,40', '--chart', chart];
    const { stdout, stderr } = await bench(args, { DATABASE_URL: admin.toString() }, 840_000);
    doc = JSON.parse(stdout) as BenchDocument;
    tables = stderr;
    expect(Object.keys(doc.scenarios)).toEqual(['backfill', 'nightly', 'polite']);
    expect(doc.settings.crawler_env).toEqual({});
    expect(doc.machine.load_average_start).toHaveLength(3);
    for (const heading of ['Whole runs', 'Request window', 'Embedded database', 'Scale', 'Where memory goes', 'Targets']) expect(tables).toContain(`### ${heading}`);
  }, 900_000);

  it('reports whole runs, each the median run itself, with the request window beside them', () => {
    for (const [name, result] of Object.entries(doc.scenarios)) {
      const m = result.median;
      expect(m, name).toEqual(result.runs[result.median_run]);
      expect(m.failed, name).toBe(0);
      // A whole history may be confirmed by a second mirror (a few newest bars): at most two requests a symbol.
      expect(m.requests, name).toBeGreaterThanOrEqual(N);
      expect(m.requests, name).toBeLessThanOrEqual(name === 'backfill' ? 2 * N : N);
      expect(m.rows_stored, name).toBe(name === 'backfill' ? N * 1440 : N * 1441);
      expect(m.rows_written, name).toBe(name === 'backfill' ? N * 1440 : N);
      // Keep-alive: never more connections to a mirror than requests it may have in flight.
      for (const connections of m.connections_per_mirror) expect(connections).toBeLessThanOrEqual(m.limits.per_mirror);
      expect(m.peak_rss_mb).toBeGreaterThan(0);
      expect(m.of_ideal).toBeCloseTo(m.requests / m.wall_s / m.ideal_requests_per_s, 2);
      // The window lies inside the whole run, and its three parts make up the run.
      const w = m.request_window;
      expect(w).not.toBeNull();
      expect(w!.window_s).toBeLessThan(m.wall_s);
      expect(w!.to_first_request_s + w!.window_s + w!.after_last_answer_s).toBeCloseTo(m.wall_s, 0);
      expect(w!.farm_hold_p50_ms).toBeGreaterThanOrEqual(m.latency_ms);
      expect(m.relation_mb.total).toBeGreaterThan(0);
    }
  });

  it('measures the COPY limit from a file into an empty table, apart from the crawler', () => {
    const backfill = doc.scenarios.backfill!.median;
    expect(backfill.copy_rows).toBe(N * 1440);
    expect(backfill.copy_limit_s).toBeGreaterThan(0);
    expect(backfill.wall_over_copy).toBeCloseTo(backfill.wall_s / backfill.copy_limit_s!, 1);
    expect(doc.scenarios.nightly!.median.preload_copy_s).toBeGreaterThan(0);
  });

  it('runs the backfill and the nightly run on the embedded database and weighs its disk against the server', () => {
    const e = doc.embedded!;
    const m = e.median;
    expect(m).toEqual(e.runs[e.median_run]);
    expect(m.init.wall_s).toBeGreaterThan(0);
    expect([m.backfill.failed, m.nightly.failed]).toEqual([0, 0]);
    expect(m.backfill.rows_written).toBe(N * 1440);
    expect(m.nightly.rows_written).toBe(N);
    expect(m.nightly.requests).toBe(N);
    for (const disk of [m.disk_after_backfill_mb, m.disk_after_nightly_mb]) {
      expect(disk.wal).toBeGreaterThan(0);
      expect(disk.wal + disk.rest).toBeCloseTo(disk.total, 0);
    }
    expect(e.server_relation_mb).toEqual(doc.scenarios.backfill!.median.relation_mb);
    expect(e.ratios.backfill_wall_vs_server).toBeCloseTo(m.backfill.wall_s / doc.scenarios.backfill!.median.wall_s, 2);
    expect(e.ratios.disk_vs_server_relation).toBeCloseTo(m.disk_after_backfill_mb.total / e.server_relation_mb!.total, 2);
  });

  it('runs scale at each size, gives the ratios of the largest to the next, and writes the chart', () => {
    const s = doc.scale!;
    expect(s.sizes.map((size) => size.symbols)).toEqual([20, 40]);
    for (const size of s.sizes) {
      expect(size.backfill.median.rows_written).toBe(size.symbols * 1440);
      expect(size.nightly.median.rows_written).toBe(size.symbols);
      expect(size.backfill.median.wall_ms_per_symbol).toBeCloseTo((size.backfill.median.wall_s * 1000) / size.symbols, -1);
    }
    const [small, large] = s.sizes;
    expect(s.ratios).toMatchObject({ larger: 40, smaller: 20 });
    expect(s.ratios.backfill_rss).toBeCloseTo(large!.backfill.median.peak_rss_mb / small!.backfill.median.peak_rss_mb, 2);
    expect(s.chart).toBe(chart);
    const svg = readFileSync(chart, 'utf8');
    expect(svg.match(/<polyline /g)).toHaveLength(4);
  });

  it('says where memory goes in every scenario', () => {
    const rows = doc.memory!.rows;
    expect(rows.map((row) => row.scenario)).toEqual(['backfill', 'nightly', 'polite', 'embedded backfill', 'embedded nightly']);
    for (const row of rows) {
      expect(row.node, row.scenario).toBeGreaterThan(0);
      // The launcher and commander cost something over bare Node, the command's code and its database more.
      expect(row.cli_version, row.scenario).toBeGreaterThan(row.node);
      expect(row.node_code_db, row.scenario).toBeGreaterThan(row.cli_version);
      expect(row.parser_worker, row.scenario).not.toBeNull();
      expect(row.heap_used!, row.scenario).toBeLessThanOrEqual(row.heap_total!);
      expect(row.major_gcs! + row.minor_gcs!, row.scenario).toBeGreaterThan(0);
      expect(row.probe_peak_rss!, row.scenario).toBeGreaterThanOrEqual(row.buffers! + row.heap_total!);
    }
    const server = rows.find((row) => row.scenario === 'backfill')!;
    const embedded = rows.find((row) => row.scenario === 'embedded backfill')!;
    // PGlite runs inside the process; a pg pool is a few sockets.
    expect(embedded.database_client!).toBeGreaterThan(server.database_client!);
  });

  it('judges every target of the issue, each with its measured value', () => {
    expect(doc.targets).toHaveLength(15);
    for (const target of doc.targets) {
      expect(target.measured, target.target).not.toBeNull();
      expect(typeof target.met, target.target).toBe('boolean');
    }
    expect(doc.startup_help_ms!.samples).toHaveLength(10);
    expect(doc.parser!.median_mb_s).toBeGreaterThan(0);
  });
});
