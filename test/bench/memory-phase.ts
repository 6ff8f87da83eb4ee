import type { BenchContext } from './bench-context.js';
import type { BenchDocument, MemoryRuns, ScenarioResult } from './bench-document.js';
import type { ServerScenarioName } from './bench-scenarios.js';
import { runEmbeddedCycle, type EmbeddedRunReport } from './embedded-scenario.js';
import { memoryRow, type MemoryRow } from './memory-breakdown.js';
import { median } from './median-run.js';
import { mb } from './run-figures.js';
import { runServerScenario, type ServerRunReport } from './server-scenario.js';
import { bareNodeRssKb, timeCli } from './time-cli.js';

/** The headline results the memory rows stand beside. */
export interface MeasuredScenarios {
  server: Partial<Record<ServerScenarioName, ScenarioResult<ServerRunReport>>>;
  embedded: ScenarioResult<EmbeddedRunReport> | null;
}

/**
 * Where memory goes, per scenario already measured: two more runs of each (one with the
 * memory probe and the default parser thread, one parsing on the main thread), a no-work
 * run and the database client's share, beside a bare Node's peak RSS.
 */
export async function measureMemory(context: BenchContext, symbols: number, measured: MeasuredScenarios): Promise<NonNullable<BenchDocument['memory']>> {
  const bare: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    bare.push(await bareNodeRssKb(context.work));
    version.push((await timeCli(context.launcher, ['--version'])).maxRssKb);
  }
  const bareNodeMb = mb(median(bare) * 1024);
  const versionMb = mb(median(version) * 1024);
  const rows: MemoryRow[] = [];
  const runs: Record<string, MemoryRuns> = {};
  for (const [name, result] of Object.entries(measured.server) as Array<[ServerScenarioName, ScenarioResult<ServerRunReport>]>) {
    const run = (variant: 'probe' | 'no-worker') => runServerScenario(context, context.scenarios[name], { symbols, copyLimit: false, variant, tag: `memory_${name}_${variant.replace('-', '_')}` });
    const probe = await run('probe');
    const noWorker = await run('no-worker');
    context.say(`memory ${name}: probe run ${probe.peak_rss_mb} MB, main-thread parsing ${noWorker.peak_rss_mb} MB`);
    runs[name] = { probe, no_worker: noWorker };
    rows.push(
      memoryRow({
        scenario: name,
        peakRssMb: result.median.peak_rss_mb,
        probeRssMb: probe.peak_rss_mb,
        noWorkerRssMb: noWorker.peak_rss_mb,
        bareNodeMb,
        versionMb,
        memory: probe.memory ?? null,
        probe: probe.memory?.probe ?? null,
      }),
    );
  }
  if (measured.embedded !== null) {
    const probe = await runEmbeddedCycle(context, symbols, 'probe', 'memory_probe');
    const noWorker = await runEmbeddedCycle(context, symbols, 'no-worker', 'memory_no_worker');
    context.say(`memory embedded: probe backfill ${probe.backfill.peak_rss_mb} MB, main-thread parsing ${noWorker.backfill.peak_rss_mb} MB`);
    runs.embedded = { probe, no_worker: noWorker };
    const headline = measured.embedded.median;
    for (const kind of ['backfill', 'nightly'] as const) {
      rows.push(
        memoryRow({
          scenario: `embedded ${kind}`,
          peakRssMb: headline[kind].peak_rss_mb,
          probeRssMb: probe[kind].peak_rss_mb,
          noWorkerRssMb: noWorker[kind].peak_rss_mb,
          bareNodeMb,
          versionMb,
          memory: probe.memory ?? null,
          probe: (kind === 'backfill' ? probe.memory?.probe : probe.memory?.nightly_probe) ?? null,
        }),
      );
    }
  }
  return { bare_node_mb: bareNodeMb, cli_version_mb: versionMb, rows, runs };
}
