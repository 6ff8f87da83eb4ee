/**
 * `npm run bench`: runs the built CLI's `update` against a loopback mirror farm (a child
 * process, 8 servers) and a real PostgreSQL, and measures beside it, in the same run,
 * the limits it is judged against: the database's COPY time for the same rows and the
 * request rate the configured limits allow at the configured latency.
 *
 *     npm run bench -- --scenario all --symbols 2000 --runs 3
 *
 * Scenarios: `backfill` (empty tables, mirrors at 20 ms, raised limits), `nightly`
 * (stored up to the previous session, one new bar each, mirrors at 100 ms, raised
 * limits), `polite` (the same with the default limits). Also `--help` start-up and
 * single-thread parser throughput. DATABASE_URL names an admin connection (default the
 * local server); each run gets a scratch database, dropped afterwards. Prints one JSON
 * document on stdout and a table on stderr. BENCH_NODE_ARGS go to the CLI's node
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { Console } from 'node:console';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { benchHistory, benchSymbols, weekdaysEnding } from './bench-history.js';
import type { FarmConfig, FarmStats } from './bench-farm.js';
import { epochMs } from './epoch-ms.js';
import { copyRows, historyRows, type RowSource } from './bench-rows.js';
import type { ParserThroughput } from './parser-throughput.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIRRORS = 8;
const MAX_BARS = 1440;

type ScenarioName = 'backfill' | 'nightly' | 'polite';

interface Scenario {
  name: ScenarioName;
  latencyMs: number;
  concurrency: number;
  perMirror: number;
  spacingMs: number;
  /** Whether the database holds every bar up to the previous session before the run. */
  preloaded: boolean;
}

const SCENARIOS: Record<ScenarioName, Scenario> = {
  backfill: { name: 'backfill', latencyMs: 20, concurrency: 64, perMirror: 8, spacingMs: 0, preloaded: false },
  nightly: { name: 'nightly', latencyMs: 100, concurrency: 64, perMirror: 8, spacingMs: 0, preloaded: true },
  polite: { name: 'polite', latencyMs: 100, concurrency: 16, perMirror: 2, spacingMs: 200, preloaded: true },
};

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    symbols: { type: 'string', default: '2000' },
    'latency-ms': { type: 'string' },
    'error-rate': { type: 'string', default: '0' },
    runs: { type: 'string', default: '1' },
    'skip-startup': { type: 'boolean', default: false },
  },
});

const symbolCount = positiveInt(flags.symbols, '--symbols');
const runs = positiveInt(flags.runs, '--runs');
const errorRate = Number(flags['error-rate']);
const chosen: Scenario[] = (flags.scenario === 'all' ? Object.keys(SCENARIOS) : String(flags.scenario).split(',')).map((name) => {
  const scenario = SCENARIOS[name as ScenarioName];
  if (scenario === undefined) throw new Error(`--scenario: unknown ${name} (backfill, nightly, polite, all)`);
  return flags['latency-ms'] === undefined ? scenario : { ...scenario, latencyMs: Number(flags['latency-ms']) };
});
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

// The CLI's clock is the real one: the farm's newest bar is the last closed session, the
// preloaded database ends one weekday earlier.
const lastSession = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const symbols = benchSymbols(symbolCount);
const days = weekdaysEnding(lastSession, MAX_BARS + 1);
const work = mkdtempSync(join(tmpdir(), 'stock-crawler-bench-'));
const symbolsFile = join(work, 'symbols.txt');
writeFileSync(symbolsFile, `${symbols.join('\n')}\n`);

function positiveInt(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: expected a positive integer, got ${text}`);
  return value;
}

/** Every bar of every symbol, the last `count` of each (oldest `skipNewest` newest dropped). */
function rows(count: number, skipNewest: number): RowSource {
  return historyRows(symbols, (symbol) => benchHistory(symbol, days), count, skipNewest);
}

async function startFarm(latencyMs: number): Promise<{ child: ChildProcess; brokers: string }> {
  const child = fork(join(ROOT, 'test/bench/bench-farm.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const config: FarmConfig = { type: 'start', mirrors: MIRRORS, symbols: symbolCount, bars: days.length, lastDay: lastSession, maxBars: MAX_BARS, latencyMs, errorRate };
  child.send(config);
  const [ready] = (await once(child, 'message')) as [{ brokers: string }];
  return { child, brokers: ready.brokers };
}

async function farmCall<T>(child: ChildProcess, type: 'stats' | 'reset'): Promise<T> {
  child.send({ type });
  const [message] = (await once(child, 'message')) as [T];
  return message;
}

interface CliRun {
  /** epochMs when the process was spawned and when it ended. */
  spawnedAt: number;
  endedAt: number;
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  exitCode: number | null;
  summary: any;
  stderrTail: string;
}

async function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<CliRun> {
  const spawnedAt = epochMs();
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...nodeArgs, join(ROOT, 'bin/stock-crawler'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const wallMs = performance.now() - started;
  const endedAt = epochMs();
  const [user, system, rss] = (stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  let summary: unknown = null;
  try {
    summary = JSON.parse(stdout);
  } catch {
    // Reported below through exitCode and stderrTail.
  }
  return { spawnedAt, endedAt, wallMs, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000, maxRssKb: rss ?? 0, exitCode, summary, stderrTail: stderr.slice(-1500) };
}

async function withDatabase<T>(admin: pg.Client, name: string, use: (url: string) => Promise<T>): Promise<T> {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
  }
}

/** Ideal request rate: the least of the global, per-mirror and spacing limits at this latency. */
function idealRate(scenario: Scenario): number {
  const inFlight = Math.min(scenario.concurrency, MIRRORS * scenario.perMirror);
  const byLatency = inFlight / (scenario.latencyMs / 1000 || Number.POSITIVE_INFINITY);
  const bySpacing = scenario.spacingMs > 0 ? (MIRRORS * 1000) / scenario.spacingMs : Number.POSITIVE_INFINITY;
  return Math.min(byLatency, bySpacing);
}

async function runScenario(admin: pg.Client, scenario: Scenario, run: number): Promise<Record<string, unknown>> {
  const farm = await startFarm(scenario.latencyMs);
  try {
    return await withDatabase(admin, `stock_crawler_bench_${process.pid}_${run}`, async (url) => {
      // STOCK_CRAWLER_* settings pass through, for trying a setting against the same farm.
      const settings = Object.entries(process.env).filter(([key]) => key.startsWith('STOCK_CRAWLER_'));
      const env = { ...Object.fromEntries(settings), PATH: process.env.PATH ?? '', DATABASE_URL: url, BROKER_URLS: farm.brokers };
      const migrated = await cli(env, ['migrate', '--quiet']);
      if (migrated.exitCode !== 0) throw new Error(`migrate exited ${migrated.exitCode}: ${migrated.stderrTail}`);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const limit = await measureLimits(db, scenario);
        await farmCall(farm.child, 'reset');
        const args = ['update', '--symbols-file', symbolsFile, '--quiet', '--concurrency', String(scenario.concurrency), '--per-mirror', String(scenario.perMirror), '--spacing-ms', String(scenario.spacingMs)];
        const result = await cli(env, args);
        if (result.exitCode !== 0 || result.summary === null) throw new Error(`update exited ${result.exitCode}: ${result.stderrTail}`);
        const stats = await farmCall<FarmStats>(farm.child, 'stats');
        const stored = await db.query<{ n: string }>('select count(*) as n from stock_daily_data');
        return report(scenario, result, stats, limit, Number(stored.rows[0]?.n));
      } finally {
        await db.end();
      }
    });
  } finally {
    farm.child.disconnect();
  }
}

/**
 * Backfill: COPY the rows the run will write into an identical empty table (the ingest
 * limit). Nightly: COPY the stored history into the real table (the preload), timed too.
 */
async function measureLimits(db: pg.Client, scenario: Scenario): Promise<{ copyMs: number; copyRows: number }> {
  if (scenario.preloaded) {
    const started = performance.now();
    const copied = await copyRows(db, 'stock_daily_data', rows(MAX_BARS, 1));
    const copyMs = performance.now() - started;
    await db.query('vacuum analyze stock_daily_data');
    return { copyMs, copyRows: copied };
  }
  await db.query('create table bench_copy_probe (like stock_daily_data including all)');
  await db.query('checkpoint');
  const started = performance.now();
  const copied = await copyRows(db, 'bench_copy_probe', rows(MAX_BARS, 0));
  const copyMs = performance.now() - started;
  await db.query('drop table bench_copy_probe');
  await db.query('checkpoint');
  return { copyMs, copyRows: copied };
}

function report(scenario: Scenario, result: CliRun, stats: FarmStats, limit: { copyMs: number; copyRows: number }, storedRows: number) {
  const requests = stats.mirrors.reduce((sum, mirror) => sum + mirror.requests, 0);
  const wallS = result.wallMs / 1000;
  const rowsSummary = result.summary.result.rows;
  const ideal = idealRate(scenario);
  return {
    scenario: scenario.name,
    latency_ms: scenario.latencyMs,
    limits: { concurrency: scenario.concurrency, per_mirror: scenario.perMirror, spacing_ms: scenario.spacingMs },
    wall_s: round(wallS, 2),
    cpu_s: round(result.cpuMs / 1000, 2),
    cpu_ms_per_symbol: round(result.cpuMs / symbolCount, 3),
    peak_rss_mb: round(result.maxRssKb / 1024, 1),
    symbols_per_s: round(symbolCount / wallS, 1),
    requests,
    requests_per_s: round(requests / wallS, 1),
    ideal_requests_per_s: round(ideal, 1),
    of_ideal: round(requests / wallS / ideal, 3),
    ...requestWindow(result, stats, requests, ideal),
    bytes_received: stats.mirrors.reduce((sum, mirror) => sum + mirror.bytes, 0),
    connections_per_mirror: stats.mirrors.map((mirror) => mirror.connections),
    errors_injected: stats.mirrors.reduce((sum, mirror) => sum + mirror.errors, 0),
    rows_written: rowsSummary.created + rowsSummary.updated,
    rows_stored: storedRows,
    failed: result.summary.result.failed,
    [scenario.preloaded ? 'preload_copy_s' : 'copy_limit_s']: round(limit.copyMs / 1000, 2),
    copy_rows: limit.copyRows,
    ...(scenario.preloaded ? {} : { wall_over_copy: round(result.wallMs / limit.copyMs, 2) }),
  };
}

/**
 * Where the wall time went: before the first request reached a mirror (start-up: Node,
 * modules, database reads), the request window (first arrival to last answer), and after
 * the last answer (parse, write, summary, exit); and the request rate within the window.
 */
function requestWindow(result: CliRun, stats: FarmStats, requests: number, ideal: number): Record<string, number> {
  if (stats.firstRequestAt === null || stats.lastAnswerAt === null) return {};
  const windowS = (stats.lastAnswerAt - stats.firstRequestAt) / 1000;
  return {
    to_first_request_s: round((stats.firstRequestAt - result.spawnedAt) / 1000, 3),
    request_window_s: round(windowS, 3),
    after_last_answer_s: round((result.endedAt - stats.lastAnswerAt) / 1000, 3),
    window_requests_per_s: round(requests / windowS, 1),
    window_of_ideal: round(requests / windowS / ideal, 3),
    farm_hold_p50_ms: round(quantile(stats.holdMs, 0.5), 1),
    farm_hold_p95_ms: round(quantile(stats.holdMs, 0.95), 1),
    turnaround_p50_ms: round(quantile(stats.turnaroundMs, 0.5), 2),
    turnaround_p95_ms: round(quantile(stats.turnaroundMs, 0.95), 2),
  };
}

/**
 * `stock-crawler --help` and, as the floor beside it, Node running an empty script, each
 * spawned `times` times in alternation: each start-up's wall time.
 */
async function measureStartup(times: number): Promise<{ help: number[]; bareNode: number[] }> {
  const help: number[] = [];
  const bareNode: number[] = [];
  const time = async (args: string[]): Promise<number> => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    await once(child, 'close');
    return performance.now() - started;
  };
  for (let i = 0; i < times + 2; i += 1) {
    const helpMs = await time([join(ROOT, 'bin/stock-crawler'), '--help']);
    const bareMs = await time(['-e', '']);
    // Two warm-ups fill the file cache.
    if (i < 2) continue;
    help.push(helpMs);
    bareNode.push(bareMs);
  }
  return { help, bareNode };
}

/** parser-throughput.ts in a process of its own, on the bench's trading days. */
async function measureParserApart(): Promise<ParserThroughput> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/bench/parser-throughput.ts'), lastSession], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`parser-throughput exited ${code}`);
  return JSON.parse(out) as ParserThroughput;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function tableRow(median: Record<string, unknown>): Record<string, unknown> {
  const keys = ['scenario', 'wall_s', 'symbols_per_s', 'of_ideal', 'wall_over_copy', 'copy_limit_s', 'cpu_ms_per_symbol', 'peak_rss_mb', 'failed'];
  return Object.fromEntries(keys.filter((key) => key in median).map((key) => [key, median[key]]));
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function medianOf(reports: Array<Record<string, unknown>>): Record<string, unknown> {
  const first = reports[0] as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first)) {
    out[key] = typeof value === 'number' ? round(median(reports.map((r) => r[key] as number)), 3) : value;
  }
  return out;
}

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
try {
  const scenarios: Record<string, unknown> = {};
  for (const scenario of chosen) {
    const reports: Array<Record<string, unknown>> = [];
    for (let run = 0; run < runs; run += 1) {
      reports.push(await runScenario(admin, scenario, run));
      process.stderr.write(`${scenario.name} run ${run + 1}/${runs}: ${JSON.stringify(reports.at(-1))}\n`);
    }
    scenarios[scenario.name] = { median: medianOf(reports), runs: reports };
  }
  const startup = flags['skip-startup'] ? undefined : await measureStartup(10);
  const parser = await measureParserApart();
  const document = {
    machine: { cpus: (await import('node:os')).availableParallelism(), node: process.version },
    symbols: symbolCount,
    runs,
    error_rate: errorRate,
    scenarios,
    startup_help_ms: startup === undefined ? null : { median: round(median(startup.help), 1), samples: startup.help.map((s) => round(s, 1)) },
    startup_bare_node_ms: startup === undefined ? null : { median: round(median(startup.bareNode), 1), samples: startup.bareNode.map((s) => round(s, 1)) },
    parser,
  };
  process.stdout.write(`${JSON.stringify(document)}\n`);
  // The table goes to stderr: stdout carries the JSON document only.
  new Console(process.stderr).table(Object.values(scenarios).map((s) => tableRow((s as { median: Record<string, unknown> }).median)));
} finally {
  await admin.end();
  rmSync(work, { recursive: true, force: true });
}
