import { Gauge, Registry } from 'prom-client';
import { BAR_CLASSES } from './classify-window.js';
import type { CheckName, VerifyDocument } from './verify-document.js';

/** Metric names of a verify run; gauges describing the last run, as for `update` (see metric-names.ts). */
export const VERIFY_METRIC = {
  checkPassed: 'stock_crawler_verify_check_passed',
  symbols: 'stock_crawler_verify_symbols',
  laggingSymbols: 'stock_crawler_verify_lagging_symbols',
  gapSymbols: 'stock_crawler_verify_gap_symbols',
  gapDays: 'stock_crawler_verify_gap_days',
  closures: 'stock_crawler_verify_closures',
  bars: 'stock_crawler_verify_bars',
  agreementRatio: 'stock_crawler_verify_agreement_ratio',
  repairedBars: 'stock_crawler_verify_repaired_bars',
  failedSymbols: 'stock_crawler_verify_failed_symbols',
  againstRows: 'stock_crawler_verify_against_rows',
  againstRatio: 'stock_crawler_verify_against_ratio',
  duration: 'stock_crawler_verify_duration_seconds',
  finished: 'stock_crawler_verify_finished_timestamp_seconds',
  succeeded: 'stock_crawler_verify_succeeded',
  lastSuccess: 'stock_crawler_verify_last_success_timestamp_seconds',
} as const;

const CHECKS: readonly CheckName[] = ['completeness', 'agreement', 'against'];
const AGAINST_KINDS = ['both', 'only_ours', 'only_theirs', 'value_differences'] as const;

/** A verify run's metrics, in a registry of their own. */
export interface VerifyMetrics {
  readonly registry: Registry;
  /** Whether the run set the last-success time (every check passed). */
  countsAsSuccess(): boolean;
  /** Re-exposes an earlier success time after a run that was not one, so a textfile keeps it. */
  keepLastSuccess(epochSeconds: number): void;
  /** Prometheus text exposition format 0.0.4. */
  text(): Promise<string>;
}

/**
 * The metrics of one verify run, read off its document. Labels are bounded by construction —
 * a check name, a bar class or a row kind — and never hold a symbol. Checks that did not run
 * (no `--against`, an empty sample) are left out rather than reported as 0, which would read
 * as a perfect or a failed score. Ratios are 0–1, as Prometheus prefers to percentages.
 */
export function createVerifyMetrics(document: VerifyDocument): VerifyMetrics {
  const registry = new Registry();
  const registers = [registry];
  const { completeness, agreement, against, failed_checks: failed } = document.result;
  const gauge = (name: string, help: string, value: number): void => {
    new Gauge({ name, help, registers }).set(value);
  };
  const labelled = <L extends string>(name: string, help: string, label: L): Gauge<L> =>
    new Gauge({ name, help, labelNames: [label], registers });

  const passed = labelled(VERIFY_METRIC.checkPassed, 'Per check that ran (completeness, agreement, against): 1 passed, 0 failed.', 'check');
  for (const check of CHECKS) {
    const ran = check === 'completeness' || (check === 'agreement' ? agreement !== null : against !== null);
    if (ran) passed.set({ check }, failed.includes(check) ? 0 : 1);
  }
  const symbols = labelled(VERIFY_METRIC.symbols, 'Symbols each check covered in the last verify run.', 'check');
  symbols.set({ check: 'completeness' }, completeness.symbols);
  gauge(VERIFY_METRIC.laggingSymbols, 'Symbols whose newest bar is older than the last closed session, or that have none.', completeness.lagging.length);
  gauge(VERIFY_METRIC.gapSymbols, 'Symbols missing at least one trading day inside their stored span.', completeness.gaps.symbols);
  gauge(VERIFY_METRIC.gapDays, 'Missing (symbol, trading day) pairs inside the stored spans, closures excluded.', completeness.gaps.days);
  gauge(VERIFY_METRIC.closures, 'Trading days the store shows the market closed (missing for 90 % of the symbols).', completeness.closures.length);

  if (agreement !== null) {
    symbols.set({ check: 'agreement' }, agreement.symbols);
    const final = agreement.after_repair ?? agreement;
    const bars = labelled(VERIFY_METRIC.bars, 'Bars compared with the mirrors by class (after the repair, when one was made).', 'class');
    for (const name of BAR_CLASSES) bars.set({ class: name }, final[name]);
    gauge(VERIFY_METRIC.agreementRatio, 'Bars agreeing with the mirrors over bars compared (0–1; 1 when none was compared).', ratio(final.agree, final.bars_compared));
    gauge(VERIFY_METRIC.repairedBars, 'Bars written by --repair in the last verify run.', agreement.repaired);
    gauge(VERIFY_METRIC.failedSymbols, 'Symbols that could not be compared with two mirrors.', agreement.failed);
  }
  if (against !== null) {
    symbols.set({ check: 'against' }, against.symbols);
    const rows = labelled(VERIFY_METRIC.againstRows, 'Rows compared with the other database, by kind.', 'kind');
    const values = { both: against.rows_both, only_ours: against.only_ours, only_theirs: against.only_theirs, value_differences: against.value_differences };
    for (const kind of AGAINST_KINDS) rows.set({ kind }, values[kind]);
    const all = against.rows_both + against.only_ours + against.only_theirs;
    gauge(VERIFY_METRIC.againstRatio, 'Rows the same in both databases over rows on either side (0–1).', ratio(against.rows_both - against.value_differences, all));
  }
  const finishedSeconds = Date.parse(document.updated_at) / 1000;
  gauge(VERIFY_METRIC.duration, 'Duration of the last verify run, in seconds.', document.result.duration_ms / 1000);
  gauge(VERIFY_METRIC.finished, 'When the last verify run finished (Unix time, seconds).', finishedSeconds);
  gauge(VERIFY_METRIC.succeeded, '1 if every check of the last verify run passed, else 0.', document.success ? 1 : 0);
  // Registered only with a value: a 0 would erase the previous success time (see src/metrics/publish.ts).
  let lastSuccess: Gauge | undefined;
  const setLastSuccess = (epochSeconds: number): void => {
    lastSuccess ??= new Gauge({ name: VERIFY_METRIC.lastSuccess, help: 'When a verify run last passed every check (Unix time, seconds).', registers });
    lastSuccess.set(epochSeconds);
  };
  if (document.success) setLastSuccess(finishedSeconds);

  return {
    registry,
    countsAsSuccess: () => document.success,
    keepLastSuccess(epochSeconds) {
      if (!document.success) setLastSuccess(epochSeconds);
    },
    text: () => registry.metrics(),
  };
}

function ratio(part: number, whole: number): number {
  return whole <= 0 ? 1 : part / whole;
}
