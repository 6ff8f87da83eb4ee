import { mb } from './run-figures.js';
import type { RunMemory } from './server-scenario.js';
import type { ProbeReport } from './time-cli.js';

/**
 * Where one scenario's peak RSS goes, MB. Each figure is measured on its own, so they
 * overlap and need not add up to the peak:
 * - `node`: a bare `node -e ""`; `cli_version`: `stock-crawler --version` (the launcher,
 *   commander and the option declarations);
 * - `node_code_db`: the crawler with its code loaded and its database open, no work (an
 *   `update` of one fresh symbol);
 * - `parser_worker`: the peak with the default parser thread minus the peak parsing on the
 *   main thread (one run each, so run-to-run noise is in it);
 * - `database_client`: the RSS an open database adds to a process (a pg pool with its 10
 *   connections, or PGlite), measured apart;
 * - at the sample of highest RSS: `buffers`, the main thread's Buffers and ArrayBuffers;
 *   `native`, the rest of its external memory (memory JavaScript objects hold outside
 *   the V8 heap: PGlite's WebAssembly memory is here); `heap_total`, `heap_used`, the
 *   V8 heap reserved and used, `new_space` the young generation's share of it;
 * - `live_heap`: the largest heap left after a major collection (the live set);
 *   `garbage`: the largest heap used minus that (what accumulates between collections);
 * - `other`: RSS at the peak sample minus the V8 heap and external memory (code, stacks,
 *   the allocator's own memory, worker threads).
 */
export interface MemoryRow {
  scenario: string;
  peak_rss: number;
  probe_peak_rss: number | null;
  node: number;
  cli_version: number;
  node_code_db: number | null;
  parser_worker: number | null;
  database_client: number | null;
  buffers: number | null;
  native: number | null;
  heap_total: number | null;
  heap_used: number | null;
  live_heap: number | null;
  garbage: number | null;
  other: number | null;
  new_space: number | null;
  major_gcs: number | null;
  minor_gcs: number | null;
  heap_limit: number | null;
}

/** What one scenario's memory row is made of. */
export interface MemoryInputs {
  scenario: string;
  /** Peak RSS of the headline (median) run, MB. */
  peakRssMb: number;
  /** Peak RSS of the probe run (default parser thread) and of the main-thread-parsing run, MB. */
  probeRssMb: number | null;
  noWorkerRssMb: number | null;
  bareNodeMb: number;
  versionMb: number;
  memory: Pick<RunMemory, 'loaded_rss_mb' | 'database_client'> | null;
  probe: ProbeReport | null;
}

/** The row of one scenario. */
export function memoryRow(input: MemoryInputs): MemoryRow {
  const probe = input.probe;
  const atPeak = probe?.at_peak_rss ?? null;
  const client = input.memory?.database_client ?? null;
  const heapUsedMax = probe === null ? null : probe.peak.heapUsed;
  const live = probe === null || probe.gc.major === 0 ? null : probe.gc.live_after_major_max;
  return {
    scenario: input.scenario,
    peak_rss: input.peakRssMb,
    probe_peak_rss: input.probeRssMb,
    node: input.bareNodeMb,
    cli_version: input.versionMb,
    node_code_db: input.memory?.loaded_rss_mb ?? null,
    parser_worker: input.probeRssMb === null || input.noWorkerRssMb === null ? null : Number((input.probeRssMb - input.noWorkerRssMb).toFixed(1)),
    database_client: client === null ? null : mb(client.rss_after - client.rss_before),
    buffers: atPeak === null ? null : mb(atPeak.arrayBuffers),
    // external is meant to count arrayBuffers too, but the two are kept apart and drift
    // by a few MB: a negative difference means no other external memory.
    native: atPeak === null ? null : mb(Math.max(0, atPeak.external - atPeak.arrayBuffers)),
    heap_total: atPeak === null ? null : mb(atPeak.heapTotal),
    heap_used: atPeak === null ? null : mb(atPeak.heapUsed),
    live_heap: live === null ? null : mb(live),
    garbage: live === null || heapUsedMax === null ? null : mb(heapUsedMax - live),
    other: atPeak === null ? null : mb(atPeak.rss - atPeak.heapTotal - atPeak.external),
    new_space: atPeak === null ? null : mb(atPeak.spaces.new_space ?? 0),
    major_gcs: probe?.gc.major ?? null,
    minor_gcs: probe?.gc.minor ?? null,
    heap_limit: probe === null ? null : mb(probe.heap_size_limit),
  };
}
