import { Gauge, Registry } from 'prom-client';
import { METRIC } from './metric-names.js';
import { requestOutcome, type AttemptSample } from './request-outcome.js';
import type { RunRecord } from './run-record.js';
import { registerRunSeries, setRunTotals } from './run-series.js';

export { ROW_KINDS } from './run-series.js';

export type MetricsCommand = 'update' | 'fetch';

/** How one symbol ended, as far as the metrics care: its outcome and the rows it updated. */
export interface ObservedSymbol {
  status: string;
  rows?: { updated?: number | undefined } | undefined;
}

/** What the crawl runtime feeds: every request to a mirror, as it ends. */
export interface AttemptObserver {
  observeAttempt(attempt: AttemptSample): void;
}

/** One run's metrics, in a registry of their own (never prom-client's global one). */
export interface RunMetrics extends AttemptObserver {
  readonly command: MetricsCommand;
  /** `I/N`, or `all` when the run is not sharded. */
  readonly shard: string;
  /** Every symbol's outcome, for the rows of revised histories (the summary does not split them out). */
  observeSymbol(outcome: ObservedSymbol): void;
  /** The run's totals, once it is over. */
  recordRun(record: RunRecord): void;
  /** Whether the recorded run set the last-success time (succeeded, and not a dry run). */
  countsAsSuccess(): boolean;
  /** Re-exposes an earlier success time after a run that was not one, so the textfile keeps it. */
  keepLastSuccess(epochSeconds: number): void;
  /** Prometheus text exposition format 0.0.4. */
  text(): Promise<string>;
}

/**
 * Creates the metrics of one `update` or `fetch` run. Labels are bounded by construction:
 * mirror names come from the configuration, outcomes and kinds from fixed lists, and no
 * label ever holds a symbol (2,000 symbols would make 2,000 series per metric). `command`
 * and `shard` ride on every series, so shards sharing a node_exporter never collide; on a
 * Pushgateway they match the grouping key. No Node process metrics: they would describe a
 * process that has already exited by the time anyone scrapes.
 */
export function createRunMetrics(options: { command: MetricsCommand; shard?: string | undefined }): RunMetrics {
  const shard = options.shard ?? 'all';
  const registry = new Registry();
  registry.setDefaultLabels({ command: options.command, shard });
  const series = registerRunSeries(registry);
  // Registered only once it has a value: an unset gauge would read 0, and on a failed run
  // that 0 would overwrite the previous success time (see src/metrics/publish.ts).
  let lastSuccess: Gauge | undefined;
  const setLastSuccess = (epochSeconds: number): void => {
    lastSuccess ??= new Gauge({
      name: METRIC.lastSuccess,
      help: 'When a run last succeeded (Unix time, seconds); alert on time() minus this.',
      registers: [registry],
    });
    lastSuccess.set(epochSeconds);
  };
  let revisedRows = 0;
  let success = false;

  return {
    command: options.command,
    shard,
    observeAttempt(attempt) {
      const mirror = attempt.broker;
      series.requests.inc({ mirror, outcome: requestOutcome(attempt) });
      series.requestDuration.observe({ mirror }, attempt.ms / 1000);
    },
    observeSymbol(outcome) {
      if (outcome.status === 'revised') revisedRows += outcome.rows?.updated ?? 0;
    },
    recordRun(record) {
      setRunTotals(series, record, revisedRows);
      success = record.succeeded && !record.dryRun;
      if (success) setLastSuccess(record.finishedAtMs / 1000);
    },
    countsAsSuccess: () => success,
    keepLastSuccess(epochSeconds) {
      if (!success) setLastSuccess(epochSeconds);
    },
    text: () => registry.metrics(),
  };
}
