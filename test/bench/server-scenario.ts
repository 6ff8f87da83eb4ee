import { rowsFile, symbolsFile, type BenchContext } from './bench-context.js';
import { MAX_BARS, MIRRORS, limitFlags, type Scenario } from './bench-scenarios.js';
import type { DatabaseClientMemory } from './database-client-memory.js';
import { startFarm } from './farm-process.js';
import { databaseClientMemory, loadedRssMb, probeFile } from './memory-runs.js';
import { psqlCopy } from './psql-copy.js';
import { assertRunOk, crawlFigures, mb, type CrawlFigures } from './run-figures.js';
import { relationSize, storedRows, withClient, withScratchDatabase, type RelationSize } from './scratch-database.js';
import { timeCli, type ProbeReport } from './time-cli.js';
import { round } from './median-run.js';

/**
 * How a run is measured: `timed` is the headline run; `probe` adds the memory probe, a
 * no-work run and the database client's share; `no-worker` parses on the main thread
 * (STOCK_CRAWLER_PARSER_THREADS=0) to weigh the parser worker.
 */
export type RunVariant = 'timed' | 'probe' | 'no-worker';

export interface ServerRunOptions {
  symbols: number;
  /** Measure the same-run COPY limit (a backfill's yardstick). */
  copyLimit: boolean;
  variant: RunVariant;
  /** Makes the scratch database's name unique within the invocation. */
  tag: string;
}

/** Where a run's memory goes (probe runs only); MB unless said. */
export interface RunMemory {
  probe: ProbeReport | null;
  /** Node, the loaded code and the open database, no work. */
  loaded_rss_mb: number | null;
  database_client: DatabaseClientMemory | null;
}

/** One server-database run, whole process, with the yardsticks measured in the same run. */
export interface ServerRunReport extends CrawlFigures {
  scenario: string;
  variant: RunVariant;
  rows_stored: number;
  /** stock_daily_data after the run, MB. */
  relation_mb: { total: number; table: number; indexes: number };
  /** Loading the same rows from a file into an identical empty table with psql \copy (backfill). */
  copy_limit_s?: number;
  copy_rows?: number;
  wall_over_copy?: number;
  /** Loading the stored history before a nightly run (not a yardstick). */
  preload_copy_s?: number;
  memory?: RunMemory;
}

/** Runs `scenario` once against a fresh scratch database and a fresh farm. */
export async function runServerScenario(context: BenchContext, scenario: Scenario, options: ServerRunOptions): Promise<ServerRunReport> {
  const farm = await startFarm(context.root, {
    mirrors: MIRRORS,
    symbols: options.symbols,
    bars: context.days.length,
    lastDay: context.lastSession,
    maxBars: MAX_BARS,
    latencyMs: scenario.latencyMs,
    errorRate: context.errorRate,
  });
  try {
    const name = `stock_crawler_bench_${process.pid}_${options.tag}`;
    return await withScratchDatabase(context.admin, context.adminUrl, name, async (url) => {
      const env: Record<string, string> = { DATABASE_URL: url, BROKER_URLS: farm.brokers };
      assertRunOk('migrate', await timeCli(context.launcher, ['migrate', '--quiet'], { env }));
      const before = await prepareDatabase(context, url, scenario, options);
      await farm.reset();
      const label = `${scenario.name}-${options.symbols}-${options.tag}`;
      const runEnv = options.variant === 'no-worker' ? { ...env, STOCK_CRAWLER_PARSER_THREADS: '0' } : env;
      const probe = options.variant === 'probe' ? probeFile(context, label) : undefined;
      const args = ['update', '--symbols-file', symbolsFile(context, options.symbols), '--quiet', ...limitFlags(scenario)];
      const run = await timeCli(context.launcher, args, { env: runEnv, probeFile: probe });
      assertRunOk(`update (${label})`, run);
      const stats = await farm.stats();
      const after = await withClient(url, async (db) => ({ rows: await storedRows(db), size: await relationSize(db) }));
      const memory = options.variant === 'probe' ? await runMemory(context, env, url, run.probe) : undefined;
      return {
        scenario: scenario.name,
        variant: options.variant,
        ...crawlFigures(scenario, options.symbols, run, stats),
        rows_stored: after.rows,
        relation_mb: sizeMb(after.size),
        ...before,
        ...(before.copy_limit_s === undefined ? {} : { wall_over_copy: round(run.wallMs / 1000 / before.copy_limit_s, 2) }),
        ...(memory === undefined ? {} : { memory }),
      };
    });
  } finally {
    await farm.stop();
  }
}

/** Nightly: the stored history loaded (timed, not a yardstick). Backfill: the COPY limit measured. */
async function prepareDatabase(
  context: BenchContext,
  url: string,
  scenario: Scenario,
  options: ServerRunOptions,
): Promise<Pick<ServerRunReport, 'copy_limit_s' | 'copy_rows' | 'preload_copy_s'>> {
  if (scenario.preloaded) {
    const loaded = await psqlCopy(url, 'stock_daily_data', await rowsFile(context, options.symbols, 1));
    await withClient(url, async (db) => {
      await db.query('vacuum analyze stock_daily_data');
      await db.query('checkpoint');
    });
    return { preload_copy_s: round(loaded.ms / 1000, 2) };
  }
  if (!options.copyLimit) return {};
  const file = await rowsFile(context, options.symbols, 0);
  await withClient(url, async (db) => {
    await db.query('create table bench_copy_probe (like stock_daily_data including all)');
    await db.query('checkpoint');
  });
  const copied = await psqlCopy(url, 'bench_copy_probe', file);
  await withClient(url, async (db) => {
    await db.query('drop table bench_copy_probe');
    await db.query('checkpoint');
  });
  return { copy_limit_s: round(copied.ms / 1000, 2), copy_rows: copied.rows };
}

async function runMemory(context: BenchContext, env: Record<string, string>, url: string, probe: ProbeReport | null): Promise<RunMemory> {
  return { probe, loaded_rss_mb: await loadedRssMb(context, env, []), database_client: await databaseClientMemory(context, url) };
}

/** A relation size in MB. */
export function sizeMb(size: RelationSize): { total: number; table: number; indexes: number } {
  return { total: mb(size.total), table: mb(size.table), indexes: mb(size.indexes) };
}
