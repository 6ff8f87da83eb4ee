import type { BatchSummary } from '../documents/batch-summary.js';
import type { LegacyBatchKeys } from '../documents/legacy-batch-result.js';
import type { MirrorFault } from '../mirrors/fault-kind.js';
import type { MirrorStats } from '../mirrors/mirror-slot.js';
import { addFaultCounts, createFaultTally, nonZeroFaults, type FaultCounts, type FaultTally } from './fault-tally.js';

/** Failures listed in full; the rest are only counted, so a bad night stays a small document. */
export const MAX_LISTED_FAILURES = 200;

/** Rows a symbol's save reported, plus the bars validation rejected. */
export interface RowCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** One attempt of a failed symbol, as src/mirrors/fetch-symbol.ts records it (its `Attempt` fits). */
export interface AttemptRecord {
  broker: string;
  status: number | string;
  ms: number;
  code?: string | undefined;
  detail?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** A failed symbol as the summary lists it. */
export interface FailureInput {
  stock_code: string;
  /** Error code, e.g. E_ALL_MIRRORS_FAILED. */
  code: string;
  message: string;
  attempts: readonly AttemptRecord[];
}

/**
 * How one symbol ended — the lead maps crawl results onto this:
 * - `skipped`: fresh by plan, no request sent.
 * - `stored`: fetched and stored (in a dry run: fetched and validated; rows may be absent or 0).
 * - `revised`: the overlap differed, so the full history was refetched and rewritten; a success.
 * - `no_data`: a mirror answered with no bars for it; nothing to store, not a failure.
 * - `failed`: no mirror delivered (or it could not be stored); listed in `failures`.
 * Missing row counts count as 0.
 */
export type SymbolOutcome =
  | { status: 'skipped' }
  | {
      status: 'stored' | 'revised' | 'no_data';
      rows?: Partial<RowCounts> | undefined;
      faults?: readonly MirrorFault[] | undefined;
      /** A second mirror confirmed the whole history stored. */
      confirmed?: boolean | undefined;
    }
  | ({ status: 'failed'; faults?: readonly MirrorFault[] | undefined } & FailureInput);

/** Running totals over outcomes; O(1) memory however many symbols there are. */
export interface OutcomeCounts {
  succeeded: number;
  failed: number;
  skipped: number;
  noData: number;
  revised: number;
  rows: RowCounts;
  consistency: { confirmed: number; disagreements: number; unresolved: number };
}

/** Per-mirror request statistics, as the mirror scheduler gathers them (its circuit state aside), and its faults. */
export type BrokerStats = Omit<MirrorStats, 'state'> & { faults?: FaultCounts | undefined };

export type { FaultCounts } from './fault-tally.js';

export interface BuildSummaryInput {
  runId: string;
  startedAtMs: number;
  finishedAtMs: number;
  /** Symbols in this run's universe (after sharding). */
  total: number;
  counts: OutcomeCounts;
  brokers: Readonly<Record<string, BrokerStats>>;
  /** Failures to list; only the first {@link MAX_LISTED_FAILURES} are kept. */
  failures: readonly FailureInput[];
  interrupted: boolean;
  dryRun: boolean;
  /** The error that stopped the run (every mirror down, database gone), if one did. */
  fatal?: { code: string; message: string } | undefined;
  /** The old service's keys of the same run (see legacy-batch-result.ts). */
  legacy: LegacyBatchKeys;
  /** The reference step before the crawl, if one was taken. */
  reference?: BatchSummary['reference'] | undefined;
}

/** Empty running totals. */
export function emptyCounts(): OutcomeCounts {
  return {
    succeeded: 0,
    failed: 0,
    skipped: 0,
    noData: 0,
    revised: 0,
    rows: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
    consistency: { confirmed: 0, disagreements: 0, unresolved: 0 },
  };
}

/** Builds the summary from totals; pure (the clock's readings come in as numbers). */
export function buildBatchSummary(input: BuildSummaryInput): BatchSummary {
  const { counts } = input;
  const processed = counts.succeeded + counts.failed + counts.noData;
  const aborted = Math.max(0, input.total - processed - counts.skipped);
  const durationMs = Math.max(0, Math.round(input.finishedAtMs - input.startedAtMs));
  const rate = durationMs === 0 ? 0 : Math.round((processed / (durationMs / 1000)) * 100) / 100;
  const listed = input.failures.slice(0, MAX_LISTED_FAILURES);
  const brokers: BatchSummary['result']['brokers'] = {};
  for (const [name, stats] of Object.entries(input.brokers)) {
    brokers[name] = {
      requests: stats.requests,
      ok: stats.ok,
      errors: stats.errors,
      circuit_opens: stats.circuitOpens,
      p50_ms: stats.p50Ms === null ? null : Math.round(stats.p50Ms),
      p95_ms: stats.p95Ms === null ? null : Math.round(stats.p95Ms),
      faults: nonZeroFaults(stats.faults),
    };
  }
  return {
    success: counts.failed === 0 && input.fatal === undefined && !input.interrupted,
    message: describe(input, processed, aborted, durationMs, rate),
    run_id: input.runId,
    result: {
      total: input.total,
      processed,
      succeeded: counts.succeeded,
      failed: counts.failed,
      skipped: counts.skipped,
      revised: counts.revised,
      no_data: counts.noData,
      aborted,
      rows: { ...counts.rows },
      duration_ms: durationMs,
      symbols_per_second: rate,
      brokers,
      failures: listed.map((failure) => ({
        stock_code: failure.stock_code,
        error: oneLine(`${failure.code}: ${failure.message}`),
        attempts: failure.attempts.map((attempt) => ({ ...attempt })),
      })),
      failures_omitted: Math.max(0, counts.failed - listed.length),
      consistency: { ...counts.consistency },
      ...input.legacy,
    },
    updated_at: new Date(input.finishedAtMs).toISOString(),
    source: 'node',
    interrupted: input.interrupted,
    dry_run: input.dryRun,
    reference: input.reference ?? null,
  };
}

/** Accumulates outcomes symbol by symbol, keeping only counts and the first failures. */
export interface SummaryAccumulator {
  add(outcome: SymbolOutcome): void;
  /** A copy of the running totals. */
  counts(): OutcomeCounts;
  /** For the progress reporter: finished symbols (any outcome), failed, skipped. */
  progress(): { done: number; failed: number; skipped: number };
  /** The summary of what was added so far. */
  build(input: Omit<BuildSummaryInput, 'counts' | 'failures'>): BatchSummary;
}

/** A fresh accumulator; `maxFailures` (default {@link MAX_LISTED_FAILURES}) bounds the kept failures. */
export function createSummaryAccumulator(options: { maxFailures?: number } = {}): SummaryAccumulator {
  const maxFailures = options.maxFailures ?? MAX_LISTED_FAILURES;
  const totals = emptyCounts();
  const failures: FailureInput[] = [];
  const faults = createFaultTally();
  const addRows = (rows: Partial<RowCounts> | undefined): void => {
    totals.rows.created += rows?.created ?? 0;
    totals.rows.updated += rows?.updated ?? 0;
    totals.rows.unchanged += rows?.unchanged ?? 0;
    totals.rows.rejected += rows?.rejected ?? 0;
  };
  return {
    add(outcome) {
      if (outcome.status !== 'skipped') {
        faults.add(outcome.faults);
        totals.consistency.disagreements += outcome.faults?.filter((fault) => fault.kind === 'disagreement').length ?? 0;
      }
      if (outcome.status === 'stored' || outcome.status === 'revised') totals.consistency.confirmed += outcome.confirmed === true ? 1 : 0;
      if (outcome.status === 'failed' && outcome.code === 'E_MIRRORS_DISAGREE') totals.consistency.unresolved += 1;
      switch (outcome.status) {
        case 'skipped':
          totals.skipped += 1;
          return;
        case 'revised':
          totals.revised += 1;
          totals.succeeded += 1;
          addRows(outcome.rows);
          return;
        case 'stored':
          totals.succeeded += 1;
          addRows(outcome.rows);
          return;
        case 'no_data':
          totals.noData += 1;
          addRows(outcome.rows);
          return;
        case 'failed':
          totals.failed += 1;
          if (failures.length < maxFailures) {
            failures.push({ stock_code: outcome.stock_code, code: outcome.code, message: outcome.message, attempts: outcome.attempts });
          }
          return;
      }
    },
    counts: () => ({ ...totals, rows: { ...totals.rows }, consistency: { ...totals.consistency } }),
    progress: () => ({
      done: totals.succeeded + totals.failed + totals.noData + totals.skipped,
      failed: totals.failed,
      skipped: totals.skipped,
    }),
    build: (input) => buildBatchSummary({ ...input, brokers: withFaults(input.brokers, faults), counts: totals, failures }),
  };
}

/** Adds the tallied faults to each mirror's stats; a mirror with faults but no stats gets empty ones. */
function withFaults(brokers: Readonly<Record<string, BrokerStats>>, faults: FaultTally): Record<string, BrokerStats> {
  const merged: Record<string, BrokerStats> = {};
  for (const [name, stats] of Object.entries(brokers)) merged[name] = { ...stats, faults: addFaultCounts(stats.faults, faults.of(name)) };
  for (const name of faults.brokers()) {
    merged[name] ??= { requests: 0, ok: 0, errors: 0, circuitOpens: 0, p50Ms: null, p95Ms: null, faults: faults.of(name) };
  }
  return merged;
}

/** `1,234 of 2,000 symbols: 1,230 succeeded (3 revised), 4 failed, 0 skipped in 312.4 s (3.96/s)`, with a prefix when stopped. */
function describe(input: BuildSummaryInput, processed: number, aborted: number, durationMs: number, rate: number): string {
  const { counts } = input;
  const prefix: string[] = [];
  if (input.dryRun) prefix.push('dry run, nothing written');
  if (input.fatal !== undefined) prefix.push(`stopped by ${input.fatal.code}: ${input.fatal.message}`);
  else if (input.interrupted) prefix.push('interrupted');
  const parts = [
    `${counts.succeeded} succeeded${counts.revised > 0 ? ` (${counts.revised} revised)` : ''}`,
    `${counts.failed} failed`,
    `${counts.skipped} skipped`,
  ];
  if (counts.noData > 0) parts.push(`${counts.noData} without data`);
  if (aborted > 0) parts.push(`${aborted} not attempted`);
  const body = `${processed + counts.skipped} of ${input.total} symbols: ${parts.join(', ')} in ${(durationMs / 1000).toFixed(1)} s (${rate}/s)`;
  return oneLine(prefix.length > 0 ? `${prefix.join('; ')} — ${body}` : body);
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}
