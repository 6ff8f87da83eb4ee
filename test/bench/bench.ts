/**
 * `npm run bench`: runs the built CLI against a loopback mirror farm (a child process,
 * 8 servers) and a real PostgreSQL, and measures beside it, in the same invocation, the
 * limits it is judged against; then prints every target of the issue as met or not.
 *
 *     npm run bench -- --scenario all --symbols 2000 --runs 3
 *
 * Scenarios (bench-scenarios.ts): `backfill`, `nightly`, `polite` on a server database;
 * `embedded`, the same backfill and nightly on the embedded database (PGlite in a
 * data directory), with its size on disk; `scale`, backfill and nightly at
 * `--scale-sizes` symbols, with an SVG chart at `--chart`. Every figure is a whole
 * process, spawn to exit; each scenario runs `--runs` times and the run with the median
 * wall time is reported, whole. Then, unless `--skip-memory`, where memory goes; the
 * start-up of `--help` and the parser's throughput.
 *
 * DATABASE_URL names an admin connection (default the local server); each run gets a
 * scratch database, dropped afterwards. The crawler's environment is built here; the
 * bench refuses to run (exit 2) while STOCK_CRAWLER_*, NODE_OPTIONS or JOB_COMPLETION_*
 * are set, unless `--pass-env`. BENCH_NODE_ARGS go to the crawler's node (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof"). One JSON document on stdout, tables on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { benchDays, type BenchContext } from './bench-context.js';
import type { BenchDocument, ScenarioResult } from './bench-document.js';
import { readBenchEnvironment, refusalLine } from './bench-env.js';
import { BENCH_USAGE, BenchUsageError, parseBenchOptions, type BenchOptions } from './bench-options.js';
import { scenariosAt } from './bench-scenarios.js';
import { benchTables } from './bench-tables.js';
import { runEmbeddedCycle, type EmbeddedRunReport } from './embedded-scenario.js';
import { measureMemory, type MeasuredScenarios } from './memory-phase.js';
import { median, medianRun, round } from './median-run.js';
import { measureParserApart } from './parser-throughput.js';
import { runScale } from './scale-scenario.js';
import { runServerScenario, type ServerRunReport } from './server-scenario.js';
import { measureStartup } from './startup-times.js';
import { judgeTargets } from './targets.js';
import { launcherFlags } from './time-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function runTimes<T>(runs: number, label: string, wallOf: (report: T) => number, once: (run: number) => Promise<T>): Promise<ScenarioResult<T>> {
  const reports: T[] = [];
  for (let run = 0; run < runs; run += 1) {
    reports.push(await once(run));
    say(`${label} run ${run + 1}/${runs}: wall ${wallOf(reports.at(-1) as T)} s`);
  }
  const chosen = medianRun(reports, wallOf);
  return { median_run: chosen.index, median: chosen.run, runs: reports };
}

async function measureServer(context: BenchContext, options: BenchOptions): Promise<MeasuredScenarios['server']> {
  const results: MeasuredScenarios['server'] = {};
  for (const name of options.server) {
    const scenario = context.scenarios[name];
    results[name] = await runTimes<ServerRunReport>(options.runs, name, (r) => r.wall_s, (run) =>
      runServerScenario(context, scenario, { symbols: options.symbols, copyLimit: name === 'backfill', variant: 'timed', tag: `${name}_${run}` }),
    );
  }
  return results;
}

function embeddedResult(result: ScenarioResult<EmbeddedRunReport>, server: MeasuredScenarios['server']): NonNullable<BenchDocument['embedded']> {
  const backfill = server.backfill?.median;
  const ratio = (a: number, b: number | undefined): number | null => (b === undefined || b === 0 ? null : round(a / b, 3));
  return {
    ...result,
    server_relation_mb: backfill?.relation_mb ?? null,
    ratios: {
      backfill_wall_vs_server: ratio(result.median.backfill.wall_s, backfill?.wall_s),
      disk_vs_server_relation: ratio(result.median.disk_after_backfill_mb.total, backfill?.relation_mb.total),
    },
  };
}

async function measure(context: BenchContext, options: BenchOptions, crawlerEnv: Record<string, string>): Promise<BenchDocument> {
  const started = performance.now();
  const loadStart = loadavg().map((l) => round(l, 2));
  const server = await measureServer(context, options);
  const embedded = options.scenarios.includes('embedded')
    ? await runTimes(options.runs, 'embedded', (r: EmbeddedRunReport) => r.backfill.wall_s, (run) => runEmbeddedCycle(context, options.symbols, 'timed', String(run)))
    : null;
  const scale = options.scenarios.includes('scale') ? await runScale(context, options.scaleSizes, options.runs, options.chart) : null;
  const memory = options.skipMemory || (Object.keys(server).length === 0 && embedded === null) ? null : await measureMemory(context, options.symbols, { server, embedded });
  const startup = options.skipStartup ? null : await measureStartup(context.launcher.bin, 10);
  const parser = await measureParserApart(ROOT, context.lastSession);
  const embeddedDoc = embedded === null ? null : embeddedResult(embedded, server);
  return {
    machine: { cpus: availableParallelism(), node: process.version, load_average_start: loadStart, load_average_end: loadavg().map((l) => round(l, 2)) },
    settings: { symbols: options.symbols, runs: options.runs, error_rate: options.errorRate, scale_sizes: options.scaleSizes, crawler_env: crawlerEnv, launcher_flags: launcherFlags(context.launcher.bin), node_args: context.launcher.nodeArgs },
    scenarios: server,
    embedded: embeddedDoc,
    scale,
    memory,
    startup_help_ms: startup === null ? null : { median: round(median(startup.help), 1), samples: startup.help.map((s) => round(s, 1)) },
    startup_bare_node_ms: startup === null ? null : { median: round(median(startup.bareNode), 1), samples: startup.bareNode.map((s) => round(s, 1)) },
    parser,
    targets: judgeTargets({
      backfill: server.backfill?.median,
      nightly: server.nightly?.median,
      polite: server.polite?.median,
      embedded: embeddedDoc?.median,
      scale: scale?.ratios,
    }),
    bench_wall_s: round((performance.now() - started) / 1000, 1),
  };
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    say(`bench: ${error.message}\n${BENCH_USAGE}`);
    return 2;
  }
  const environment = readBenchEnvironment(process.env, options.passEnv);
  for (const note of environment.notes) say(note);
  if (environment.refused.length > 0) {
    say(refusalLine(environment.refused));
    return 2;
  }
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const work = mkdtempSync(join(tmpdir(), 'stock-crawler-bench-'));
  try {
    // The CLI's clock is the real one: the farm's newest bar is the last closed session.
    const lastSession = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const context: BenchContext = {
      root: ROOT,
      work,
      admin,
      adminUrl,
      launcher: { bin: join(ROOT, 'bin/stock-crawler'), nodeArgs, cwd: work, env: environment.passed },
      lastSession,
      ...benchDays(lastSession),
      errorRate: options.errorRate,
      scenarios: scenariosAt(options.latencyMs),
      say,
    };
    const document = await measure(context, options, environment.passed);
    process.stdout.write(`${JSON.stringify(document)}\n`);
    // The tables go to stderr: stdout carries the JSON document only.
    process.stderr.write(`\n${benchTables(document)}`);
    return 0;
  } finally {
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
