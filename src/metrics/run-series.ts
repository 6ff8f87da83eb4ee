import { Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC } from './metric-names.js';
import { SYMBOL_OUTCOMES, type RunRecord } from './run-record.js';

/**
 * Row kinds: the summary's four, plus `revised` — the rows a revised history rewrote, taken
 * out of `updated` so that the kinds stay disjoint and add up to the summary's rows.
 */
export const ROW_KINDS = ['created', 'updated', 'unchanged', 'rejected', 'revised'] as const;

// Mirror answers take tens of milliseconds to seconds; an attempt is cut off at 20 s by default.
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

/** The series of one run, every one registered from the start (the last-success time is not one of them). */
export interface RunSeries {
  requests: Gauge<'mirror' | 'outcome'>;
  requestDuration: Histogram<'mirror'>;
  circuitOpens: Gauge<'mirror'>;
  symbols: Gauge<'outcome'>;
  rows: Gauge<'kind'>;
  runDuration: Gauge;
  runFinished: Gauge;
  runSucceeded: Gauge;
}

/** Registers the run's series in `registry`, in the order they are exposed. */
export function registerRunSeries(registry: Registry): RunSeries {
  const registers = [registry];
  const byLabels = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers });
  return {
    requests: byLabels(
      METRIC.requests,
      'Requests to each mirror in the last run, by outcome (ok, http_4xx, http_429, http_5xx, timeout, network, format, too_large, …).',
      ['mirror', 'outcome'],
    ),
    requestDuration: new Histogram({
      name: METRIC.requestDuration,
      help: 'Duration of each request to a mirror in the last run (request and parsing), in seconds.',
      labelNames: ['mirror'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    circuitOpens: byLabels(METRIC.circuitOpens, 'Times each mirror\'s circuit breaker opened in the last run (update only).', ['mirror']),
    symbols: byLabels(
      METRIC.symbols,
      'Symbols of the last run by outcome (stored, revised, no_data, skipped, failed, aborted); they add up to the run\'s total.',
      ['outcome'],
    ),
    rows: byLabels(
      METRIC.rows,
      'Rows of the last run by kind (created, updated, unchanged, rejected by validation, revised: rewritten because a mirror revised the history).',
      ['kind'],
    ),
    runDuration: new Gauge({ name: METRIC.runDuration, help: 'Duration of the last run, in seconds.', registers }),
    runFinished: new Gauge({ name: METRIC.runFinished, help: 'When the last run finished, successful or not (Unix time, seconds).', registers }),
    runSucceeded: new Gauge({ name: METRIC.runSucceeded, help: '1 if the last run succeeded (exit 0), else 0.', registers }),
  };
}

/**
 * Sets the run's totals from its record; `revisedRows` (rows rewritten by revised
 * histories, at most the summary's `updated`) are moved from `updated` to `revised`.
 */
export function setRunTotals(series: RunSeries, record: RunRecord, revisedRows: number): void {
  for (const outcome of SYMBOL_OUTCOMES) series.symbols.set({ outcome }, record.symbols[outcome]);
  const revised = Math.min(revisedRows, record.rows.updated);
  const kinds: Record<(typeof ROW_KINDS)[number], number> = { ...record.rows, updated: record.rows.updated - revised, revised };
  for (const kind of ROW_KINDS) series.rows.set({ kind }, kinds[kind]);
  for (const [mirror, opens] of Object.entries(record.circuitOpens ?? {})) series.circuitOpens.set({ mirror }, opens);
  series.runDuration.set(record.durationMs / 1000);
  series.runFinished.set(record.finishedAtMs / 1000);
  series.runSucceeded.set(record.succeeded ? 1 : 0);
}
