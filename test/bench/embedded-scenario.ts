import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { symbolsFile, type BenchContext } from './bench-context.js';
import { benchSymbols } from './bench-history.js';
import { MAX_BARS, MIRRORS, limitFlags, type Scenario } from './bench-scenarios.js';
import { dataDirUsage } from './disk-usage.js';
import { startFarm } from './farm-process.js';
import { databaseClientMemory, loadedRssMb, probeFile } from './memory-runs.js';
import { round } from './median-run.js';
import { assertRunOk, crawlFigures, mb, type CrawlFigures } from './run-figures.js';
import type { RunMemory, RunVariant } from './server-scenario.js';
import { timeCli, type ProbeReport } from './time-cli.js';

/** An embedded data directory's size, MB. */
export interface DiskMb {
  total: number;
  wal: number;
  rest: number;
}

/** One embedded cycle: create the data directory, backfill it, then a nightly run on it. */
export interface EmbeddedRunReport {
  scenario: 'embedded';
  variant: RunVariant;
  symbols: number;
  /** Creating the data directory (initdb and migrations, `stock-crawler history` of one symbol): once per data directory. */
  init: { wall_s: number; peak_rss_mb: number };
  /** The backfill of the server scenario (mirrors at 20 ms, raised limits), N × 1,440 bars into the new directory. */
  backfill: CrawlFigures;
  disk_after_backfill_mb: DiskMb;
  /** The nightly scenario (mirrors at 100 ms, raised limits), one new bar per symbol. */
  nightly: CrawlFigures;
  disk_after_nightly_mb: DiskMb;
  /** Probe runs only; `probe` holds the backfill's, `nightly_probe` the nightly run's. */
  memory?: RunMemory & { nightly_probe: ProbeReport | null };
}

/**
 * The embedded database (no DATABASE_URL, `--data-dir`) through a backfill and the
 * nightly run after it. The backfill's farm ends one session early (1,440 bars up to the
 * previous session); the nightly farm has the last session too, so the second run finds
 * one new bar per symbol, as the night after a backfill would.
 */
export async function runEmbeddedCycle(context: BenchContext, symbols: number, variant: RunVariant, tag: string): Promise<EmbeddedRunReport> {
  const root = mkdtempSync(join(context.work, `embedded-${tag}-`));
  const dataDir = join(root, 'db');
  const location = ['--data-dir', dataDir];
  const env: Record<string, string> = variant === 'no-worker' ? { STOCK_CRAWLER_PARSER_THREADS: '0' } : {};
  try {
    const init = await timeCli(context.launcher, ['history', benchSymbols(1)[0] as string, '--quiet', ...location], { env });
    assertRunOk('embedded init', init);
    const backfill = await crawl(context, context.scenarios.backfill, { symbols, variant, label: `embedded-backfill-${tag}`, env, location, previous: true });
    const diskAfterBackfill = diskMb(await dataDirUsage(dataDir));
    const nightly = await crawl(context, context.scenarios.nightly, { symbols, variant, label: `embedded-nightly-${tag}`, env, location, previous: false });
    const diskAfterNightly = diskMb(await dataDirUsage(dataDir));
    const report: EmbeddedRunReport = {
      scenario: 'embedded',
      variant,
      symbols,
      init: { wall_s: round(init.wallMs / 1000, 2), peak_rss_mb: mb(init.maxRssKb * 1024) },
      backfill: backfill.figures,
      disk_after_backfill_mb: diskAfterBackfill,
      nightly: nightly.figures,
      disk_after_nightly_mb: diskAfterNightly,
    };
    if (variant === 'probe') {
      const loaded = await loadedRssMb(context, env, location);
      report.memory = { probe: backfill.probe, nightly_probe: nightly.probe, loaded_rss_mb: loaded, database_client: await databaseClientMemory(context, dataDir) };
    }
    return report;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

interface CrawlOptions {
  symbols: number;
  variant: RunVariant;
  label: string;
  env: Record<string, string>;
  location: string[];
  /** Serve history up to the previous session only (the backfill before a nightly run). */
  previous: boolean;
}

async function crawl(context: BenchContext, scenario: Scenario, options: CrawlOptions): Promise<{ figures: CrawlFigures; probe: ProbeReport | null }> {
  const farm = await startFarm(context.root, {
    mirrors: MIRRORS,
    symbols: options.symbols,
    bars: options.previous ? context.days.length - 1 : context.days.length,
    lastDay: options.previous ? context.previousSession : context.lastSession,
    maxBars: MAX_BARS,
    latencyMs: scenario.latencyMs,
    errorRate: context.errorRate,
  });
  try {
    const args = ['update', '--symbols-file', symbolsFile(context, options.symbols), '--quiet', ...options.location, ...limitFlags(scenario)];
    const probe = options.variant === 'probe' ? probeFile(context, options.label) : undefined;
    const run = await timeCli(context.launcher, args, { env: { BROKER_URLS: farm.brokers, ...options.env }, probeFile: probe });
    assertRunOk(`update (${options.label})`, run);
    return { figures: crawlFigures(scenario, options.symbols, run, await farm.stats()), probe: run.probe };
  } finally {
    await farm.stop();
  }
}

function diskMb(usage: { total: number; wal: number; rest: number }): DiskMb {
  return { total: mb(usage.total), wal: mb(usage.wal), rest: mb(usage.rest) };
}
