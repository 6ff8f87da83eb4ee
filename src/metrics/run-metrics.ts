import { Gauge, Histogram, Registry } from 'prom-client';
import type { SymbolOutcome } from '../batch/summary.js';
import { METRIC } from './metric-names.js';
import { requestOutcome, type AttemptSample } from './request-outcome.js';
import { SYMBOL_OUTCOMES, type RunRecord } from './run-record.js';

/**
 * Row kinds: the summary's four, plus `revised` — the rows a revised history rewrote, taken
 * out of `updated` so that the kinds stay disjoint and add up to the summary's rows.
 */
export const ROW_KINDS = ['created', 'updated', 'unchanged', 'rejected', 'revised'] as const;

export type MetricsCommand = 'update' | 'fetch';

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
  observeSymbol(outcome: SymbolOutcome): void;
  /** The run's totals, once it is over. */
  recordRun(record: RunRecord): void;
  /** Whether the recorded run set the last-success time (succeeded, and not a dry run). */
  countsAsSuccess(): boolean;
  /** Re-exposes an earlier success time after a run that was not one, so the textfile keeps it. */
  keepLastSuccess(epochSeconds: number): void;
  /** Prometheus text exposition format 0.0.4. */
  text(): Promise<string>;
}

// Mirror answers take tens of milliseconds to seconds; an attempt is cut off at 20 s by default.
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

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
  const registers = [registry];

  const requests = new Gauge({
    name: METRIC.requests,
    help: 'Requests to each mirror in the last run, by outcome (ok, http_4xx, http_429, http_5xx, timeout, network, format, too_large, …).',
    labelNames: ['mirror', 'outcome'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: METRIC.requestDuration,
    help: 'Duration of each request to a mirror in the last run (request and parsing), in seconds.',
    labelNames: ['mirror'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const circuitOpens = new Gauge({
    name: METRIC.circuitOpens,
    help: 'Times each mirror\'s circuit breaker opened in the last run (update only).',
    labelNames: ['mirror'] as const,
    registers,
  });
  const symbols = new Gauge({
    name: METRIC.symbols,
    help: 'Symbols of the last run by outcome (stored, revised, no_data, skipped, failed, aborted); they add up to the run\'s total.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const rows = new Gauge({
    name: METRIC.rows,
    help: 'Rows of the last run by kind (created, updated, unchanged, rejected by validation, revised: rewritten because a mirror revised the history).',
    labelNames: ['kind'] as const,
    registers,
  });
  const runDuration = new Gauge({ name: METRIC.runDuration, help: 'Duration of the last run, in seconds.', registers });
  const runFinished = new Gauge({ name: METRIC.runFinished, help: 'When the last run finished, successful or not (Unix time, seconds).', registers });
  const runSucceeded = new Gauge({ name: METRIC.runSucceeded, help: '1 if the last run succeeded (exit 0), else 0.', registers });
  // Registered only once it has a value: an unset gauge would read 0, and on a failed run
  // that 0 would overwrite the previous success time (see src/metrics/publish.ts).
  let lastSuccess: Gauge | undefined;
  const setLastSuccess = (epochSeconds: number): void => {
    lastSuccess ??= new Gauge({
      name: METRIC.lastSuccess,
      help: 'When a run last succeeded (Unix time, seconds); alert on time() minus this.',
      registers,
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
      requests.inc({ mirror, outcome: requestOutcome(attempt) });
      requestDuration.observe({ mirror }, attempt.ms / 1000);
    },
    observeSymbol(outcome) {
      if (outcome.status === 'revised') revisedRows += outcome.rows?.updated ?? 0;
    },
    recordRun(record) {
      for (const outcome of SYMBOL_OUTCOMES) symbols.set({ outcome }, record.symbols[outcome]);
      const revised = Math.min(revisedRows, record.rows.updated);
      const kinds: Record<(typeof ROW_KINDS)[number], number> = { ...record.rows, updated: record.rows.updated - revised, revised };
      for (const kind of ROW_KINDS) rows.set({ kind }, kinds[kind]);
      for (const [mirror, opens] of Object.entries(record.circuitOpens ?? {})) circuitOpens.set({ mirror }, opens);
      runDuration.set(record.durationMs / 1000);
      runFinished.set(record.finishedAtMs / 1000);
      runSucceeded.set(record.succeeded ? 1 : 0);
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
