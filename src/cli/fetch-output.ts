import type { FetchEnd } from '../batch/fetch-run.js';
import type { BatchSymbolResult } from '../batch/run-batch.js';
import type { DailyBar } from '../core/daily-bar.js';
import type { Attempt } from '../mirrors/fetch-symbol.js';
import { buildLegacyFetchDocument, buildLegacyFetchKeys, type LegacyFetchInput } from '../documents/legacy-fetch.js';
import { buildLegacyFetchError, buildLegacyFetchErrorKeys } from '../documents/legacy-fetch-error.js';

/** A bar as `fetch` prints it: what the Python backend reads. */
export type FetchedRow = Omit<DailyBar, 'data_quality'>;

/** How `fetch` is printed, and what the old keys need to know. */
export interface FetchDocumentContext {
  symbol: string;
  dryRun: boolean;
  /** Mirrors configured (the old document said "8 broker websites"). */
  mirrorCount: number;
  /** Zone of the old `timestamp` (local time without offset). */
  timeZone: string;
}

/** The rows `fetch` prints, in date order. */
export function fetchedRows(bars: readonly DailyBar[]): FetchedRow[] {
  return bars.map(({ stock_code, trade_date, open_price, high_price, low_price, close_price, volume }) => ({
    stock_code,
    trade_date,
    open_price,
    high_price,
    low_price,
    close_price,
    volume,
  }));
}

/**
 * The default `fetch` document: the crawler's own keys (the rows, the counts of the write,
 * the rows validation refused, every attempt) and the old service's keys with their old
 * meanings (`status` success|skipped|error, `records_created`, `timestamp` …).
 */
export function fetchDocument(end: FetchEnd, context: FetchDocumentContext): Record<string, unknown> {
  const { result, summary } = end;
  const common = { stock_code: context.symbol, updated_at: summary.updated_at, source: 'node' };
  const epochMs = Date.parse(summary.updated_at);
  const legacy = legacyInputOf(result, context, epochMs);
  if (result?.status === 'stored') {
    const counts = result.counts ?? { created: 0, updated: 0, unchanged: 0 };
    const own = {
      success: true,
      message: describe(result, context.dryRun),
      data: fetchedRows(end.bars),
      records_processed: result.validation.input,
      ...counts,
      rejected: end.rejected,
      validation: result.validation,
      dry_run: context.dryRun,
      broker: result.broker,
      attempts: result.attempts.map(roundAttempt),
    };
    const old = legacy === undefined ? errorKeys(context, epochMs) : buildLegacyFetchKeys(legacy);
    return { ...own, ...common, ...old };
  }
  if (result?.status === 'skipped' && legacy !== undefined) {
    const own = { success: true, message: `${context.symbol}: already holds ${result.latest}, the last closed session; nothing fetched`, data: [], records_processed: 0 };
    return { ...own, created: 0, updated: 0, unchanged: 0, rejected: [], dry_run: context.dryRun, attempts: [], ...common, ...buildLegacyFetchKeys(legacy) };
  }
  const attempts = result?.status === 'failed' ? result.attempts.map(roundAttempt) : [];
  const failure = result?.status === 'failed' ? { message: result.message, error: { code: result.code } } : { message: summary.message, interrupted: summary.interrupted };
  return { success: false, ...failure, data: [], attempts, ...common, ...errorKeys(context, epochMs) };
}

/**
 * Exactly the old service's document: success or skipped; anything else its failure,
 * `{detail}` (a symbol the mirrors have no bars for failed there too).
 */
export function legacyFetchDocument(end: FetchEnd, context: FetchDocumentContext): Record<string, unknown> {
  const legacy = legacyInputOf(end.result, context, Date.parse(end.summary.updated_at));
  return legacy === undefined ? buildLegacyFetchError({ symbol: context.symbol, failure: 'unavailable' }) : buildLegacyFetchDocument(legacy);
}

/** The old document's input, or undefined where the old service failed. */
function legacyInputOf(result: BatchSymbolResult | undefined, context: FetchDocumentContext, epochMs: number): LegacyFetchInput | undefined {
  const { symbol, timeZone } = context;
  if (result?.status === 'skipped') return { status: 'skipped', symbol, latestDate: result.latest, epochMs, timeZone };
  if (result?.status !== 'stored' || result.validation.input === 0) return undefined;
  const counts = result.counts ?? { created: 0, updated: 0, unchanged: 0 };
  return { status: 'success', symbol, recordsProcessed: result.validation.input, ...counts, mirrorCount: context.mirrorCount, epochMs, timeZone };
}

function errorKeys(context: FetchDocumentContext, epochMs: number) {
  return buildLegacyFetchErrorKeys({ symbol: context.symbol, failure: 'unavailable', epochMs, timeZone: context.timeZone });
}

function describe(result: Extract<BatchSymbolResult, { status: 'stored' }>, dryRun: boolean): string {
  const { validation } = result;
  if (validation.input === 0) return `${result.symbol}: the mirrors have no data for this symbol (${result.broker})`;
  const base = `${result.symbol}: ${validation.accepted} bars from ${result.broker}`;
  const rejected = `${validation.rejected} rejected, ${validation.duplicates} duplicate dates`;
  if (dryRun || result.counts === null) return `${base} (dry run, nothing written; ${rejected})`;
  const { created, updated, unchanged } = result.counts;
  return `${base}: ${created} created, ${updated} updated, ${unchanged} unchanged; ${rejected}`;
}

function roundAttempt(attempt: Attempt): Attempt {
  return { ...attempt, ms: Math.round(attempt.ms) };
}
