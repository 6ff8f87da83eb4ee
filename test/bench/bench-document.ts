import type { ServerScenarioName } from './bench-scenarios.js';
import type { EmbeddedRunReport } from './embedded-scenario.js';
import type { MemoryRow } from './memory-breakdown.js';
import type { ParserThroughput } from './parser-throughput.js';
import type { ScaleReport } from './scale-scenario.js';
import type { ServerRunReport } from './server-scenario.js';
import type { TargetVerdict } from './targets.js';

/** Every run of a scenario and the one reported: the run with the median wall time. */
export interface ScenarioResult<T> {
  median_run: number;
  median: T;
  runs: T[];
}

/** The extra runs behind one memory row (peak RSS, MB, and the probe's document). */
export interface MemoryRuns {
  probe: ServerRunReport | EmbeddedRunReport;
  no_worker: ServerRunReport | EmbeddedRunReport;
}

/** The one JSON document `npm run bench` prints on stdout. */
export interface BenchDocument {
  machine: {
    cpus: number;
    node: string;
    /** 1, 5 and 15-minute load averages when the bench started and ended: the machine is shared. */
    load_average_start: number[];
    load_average_end: number[];
  };
  settings: {
    symbols: number;
    runs: number;
    error_rate: number;
    scale_sizes: number[];
    /** Variables passed to the crawler with --pass-env (empty: the crawler ran at its defaults). */
    crawler_env: Record<string, string>;
    /** The node flags of the CLI's #! line, which every run gets. */
    launcher_flags: string[];
    /** BENCH_NODE_ARGS, added after them. */
    node_args: string[];
  };
  scenarios: Partial<Record<ServerScenarioName, ScenarioResult<ServerRunReport>>>;
  embedded:
    | (ScenarioResult<EmbeddedRunReport> & {
        /** Median embedded run over the same invocation's median server backfill. */
        ratios: { backfill_wall_vs_server: number | null; disk_vs_server_relation: number | null };
        server_relation_mb: { total: number; table: number; indexes: number } | null;
      })
    | null;
  scale: ScaleReport | null;
  memory: { bare_node_mb: number; cli_version_mb: number; rows: MemoryRow[]; runs: Record<string, MemoryRuns> } | null;
  startup_help_ms: { median: number; samples: number[] } | null;
  startup_bare_node_ms: { median: number; samples: number[] } | null;
  parser: ParserThroughput | null;
  targets: TargetVerdict[];
  /** Wall time of the whole invocation, s. */
  bench_wall_s: number;
}
