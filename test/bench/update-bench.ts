/**
 * Runs the built CLI's `update` against a loopback mirror farm and a real PostgreSQL,
 * as a child process, and prints wall time, symbols/s and peak RSS:
 *
 *     npm run build && npx tsx test/bench/update-bench.ts --symbols 2000 --latency-ms 20
 *
 * Two runs: a backfill into empty tables, then a nightly incremental run after the
 * mirrors gained one bar. DATABASE_URL (default the local server) names an admin
 * connection; a scratch database is created and dropped.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startMirrorFarm } from '../support/mirror-farm.js';

const { values } = parseArgs({
  options: {
    symbols: { type: 'string', default: '2000' },
    'latency-ms': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
    'per-mirror': { type: 'string', default: '8' },
    'spacing-ms': { type: 'string', default: '0' },
  },
});
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const symbols = Array.from({ length: Number(values.symbols) }, (_, i) => String(1000 + i * 3).padStart(4, '0'));

// The CLI's clock is the real one: the farm's newest bar is the last closed session.
const { lastClosedSession } = await import('../../src/batch/trading-session.js');
const lastSession = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const previous = (await import('../../src/batch/trading-session.js')).previousWeekday(lastSession);

const farm = await startMirrorFarm({ behaviours: Array(8).fill('ok'), lastDay: previous, latencyMs: Number(values['latency-ms']) });
const name = `stock_crawler_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const env = { PATH: process.env.PATH ?? '', DATABASE_URL: url.toString(), BROKER_URLS: farm.brokers };
// BENCH_NODE_ARGS go to the CLI's node only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function cli(args: string[]): Promise<{ wallMs: number; maxRssKb: number; summary: any }> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, ...nodeArgs, 'bin/stock-crawler', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`exit ${code}: ${stderr.slice(-2000)}`);
  const maxRssKb = Number(stderr.trim().split('\n').at(-1));
  return { wallMs, maxRssKb, summary: JSON.parse(stdout) };
}

const limits = ['--concurrency', values.concurrency!, '--per-mirror', values['per-mirror']!, '--spacing-ms', values['spacing-ms']!, '--quiet'];
try {
  await cli(['migrate']);
  const list = symbols.join(',');
  const backfill = await cli(['update', '--symbols', list, ...limits]);
  farm.setLastDay(lastSession);
  const nightly = await cli(['update', '--symbols', list, ...limits]);
  const row = (label: string, run: typeof backfill) => ({
    run: label,
    wall_s: +(run.wallMs / 1000).toFixed(2),
    symbols_per_s: +(symbols.length / (run.wallMs / 1000)).toFixed(1),
    peak_rss_mb: +(run.maxRssKb / 1024).toFixed(1),
    created: run.summary.result.rows.created,
    failed: run.summary.result.failed,
  });
  const report = { symbols: symbols.length, latency_ms: Number(values['latency-ms']), limits, runs: [row('backfill', backfill), row('nightly', nightly)] };
  console.log(JSON.stringify(report));
  console.table(report.runs);
} finally {
  await farm.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
