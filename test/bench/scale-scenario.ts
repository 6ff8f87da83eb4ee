import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BenchContext } from './bench-context.js';
import { medianRun, round } from './median-run.js';
import { scaleChartSvg, type ScalePoint } from './scale-chart.js';
import { runServerScenario, type ServerRunReport } from './server-scenario.js';

/** Backfill and nightly at one size: every run, and the median one (by wall time) of each. */
export interface ScaleSize {
  symbols: number;
  backfill: { median_run: number; median: ServerRunReport; runs: ServerRunReport[] };
  nightly: { median_run: number; median: ServerRunReport; runs: ServerRunReport[] };
}

/** The largest size against the one before it (8,000 against 2,000 by default): ratios of the median runs. */
export interface ScaleRatios {
  larger: number;
  smaller: number;
  backfill_rss: number;
  nightly_rss: number;
  backfill_wall_per_symbol: number;
  nightly_wall_per_symbol: number;
}

export interface ScaleReport {
  sizes: ScaleSize[];
  ratios: ScaleRatios;
  /** Where the SVG chart was written. */
  chart: string;
}

/**
 * `--scenario scale`: the backfill and the nightly scenario (server database, raised
 * limits) at each size, `runs` times each; writes the chart of wall time and peak RSS
 * against the number of symbols.
 */
export async function runScale(context: BenchContext, sizes: readonly number[], runs: number, chartPath: string): Promise<ScaleReport> {
  const measured: ScaleSize[] = [];
  for (const symbols of sizes) {
    const kinds = {} as Pick<ScaleSize, 'backfill' | 'nightly'>;
    for (const kind of ['backfill', 'nightly'] as const) {
      const reports: ServerRunReport[] = [];
      for (let run = 0; run < runs; run += 1) {
        reports.push(await runServerScenario(context, context.scenarios[kind], { symbols, copyLimit: false, variant: 'timed', tag: `scale_${kind}_${symbols}_${run}` }));
        const last = reports.at(-1) as ServerRunReport;
        context.say(`scale ${kind} ${symbols} run ${run + 1}/${runs}: wall ${last.wall_s} s, peak RSS ${last.peak_rss_mb} MB`);
      }
      const chosen = medianRun(reports, (report) => report.wall_s);
      kinds[kind] = { median_run: chosen.index, median: chosen.run, runs: reports };
    }
    measured.push({ symbols, ...kinds });
  }
  const chart = resolve(context.root, chartPath);
  mkdirSync(dirname(chart), { recursive: true });
  writeFileSync(chart, scaleChartSvg(measured.map(scalePoint), `median of ${runs} run(s) per point; wall time and peak RSS of the whole process`));
  return { sizes: measured, ratios: scaleRatios(measured), chart };
}

/** A size's chart point. */
export function scalePoint(size: ScaleSize): ScalePoint {
  return {
    symbols: size.symbols,
    backfillWallS: size.backfill.median.wall_s,
    nightlyWallS: size.nightly.median.wall_s,
    backfillRssMb: size.backfill.median.peak_rss_mb,
    nightlyRssMb: size.nightly.median.peak_rss_mb,
  };
}

/** The largest size's median runs over the next smaller size's. */
export function scaleRatios(sizes: readonly ScaleSize[]): ScaleRatios {
  const larger = sizes.at(-1) as ScaleSize;
  const smaller = sizes.at(-2) as ScaleSize;
  const ratio = (a: number, b: number): number => round(a / b, 3);
  return {
    larger: larger.symbols,
    smaller: smaller.symbols,
    backfill_rss: ratio(larger.backfill.median.peak_rss_mb, smaller.backfill.median.peak_rss_mb),
    nightly_rss: ratio(larger.nightly.median.peak_rss_mb, smaller.nightly.median.peak_rss_mb),
    backfill_wall_per_symbol: ratio(larger.backfill.median.wall_ms_per_symbol, smaller.backfill.median.wall_ms_per_symbol),
    nightly_wall_per_symbol: ratio(larger.nightly.median.wall_ms_per_symbol, smaller.nightly.median.wall_ms_per_symbol),
  };
}
