import type { Market } from './market.js';
import type { ChangeCounts, MarketSyncPlan } from './plan-market-sync.js';
import type { CalendarSyncPlan } from './plan-calendar-sync.js';
import type { PageCounts } from './select-listings.js';
import type { SourceRefusal } from './source-refusal.js';

/** How one source of the run ended. */
export interface SourceOutcome {
  /** `TSE`, `TPEx`, or `holidays`. */
  source: string;
  url: string;
  /** What the page held, when it could be read. */
  counts: PageCounts | null;
  refusal: SourceRefusal | null;
}

/** A refused source as the document reports it. */
export interface SourceError {
  code: 'E_SOURCE_REFUSED';
  reason: SourceRefusal['reason'];
  message: string;
  status?: number;
}

/** The `result.symbols` part of the sync document. */
export interface SymbolsReport {
  sources: Array<{ market: string; url: string; ok: boolean; rows: number; kept: number; skipped: Record<string, number>; invalid: number; error?: SourceError }>;
  added: number;
  renamed: number;
  updated: number;
  delisted: number;
  relisted: number;
  unchanged: number;
  /** Active symbols per market after the sync (what a dry run would leave). */
  active: Record<Market, number>;
  /** Kept listings by instrument type, over the sources used. */
  by_type: Record<string, number>;
  /** The codes delisted and relisted (the first 200 of each). */
  delisted_codes: string[];
  relisted_codes: string[];
}

/** The `result.calendar` part of the sync document. */
export interface CalendarReport {
  url: string;
  ok: boolean;
  year: number | null;
  /** Closures the schedule lists. */
  holidays: number;
  added: number;
  removed: number;
  changed: number;
  /** Rows that mark a trading day (first or last of a period), not stored as closures. */
  trading_days: number;
  error?: SourceError;
}

/** What `stock-crawler sync` prints. */
export interface SyncDocument {
  success: boolean;
  message: string;
  /** The crawl_runs id; null for a dry run, which records nothing. */
  run_id: string | null;
  dry_run: boolean;
  result: { symbols: SymbolsReport | null; calendar: CalendarReport | null };
  updated_at: string;
  source: 'node';
  /** Present when no source could be used: the run changed nothing (exit 3). */
  error?: { code: 'E_SOURCE_REFUSED'; sources: string[] };
}

/** succeeded: every source used · partial: some refused (exit 1) · failed: all refused (exit 3). */
export type SyncStatus = 'succeeded' | 'partial' | 'failed';

const LISTED_CODES_MAX = 200;

export interface SyncDocumentInput {
  runId: string | null;
  dryRun: boolean;
  nowMs: number;
  /** Null when the run skipped the universe (`--calendar-only`). */
  symbols: { outcomes: SourceOutcome[]; plans: MarketSyncPlan[]; active: Record<Market, number> } | null;
  /** Null when the run skipped the calendar (`--symbols-only`). */
  calendar: { outcome: SourceOutcome; plan: CalendarSyncPlan | null } | null;
}

/** Builds the document and the run's status from what each part did (pure). */
export function buildSyncDocument(input: SyncDocumentInput): { document: SyncDocument; status: SyncStatus; refused: string[] } {
  const outcomes = [...(input.symbols?.outcomes ?? []), ...(input.calendar === null ? [] : [input.calendar.outcome])];
  const refused = outcomes.filter((outcome) => outcome.refusal !== null).map((outcome) => outcome.source);
  const status: SyncStatus = refused.length === 0 ? 'succeeded' : refused.length === outcomes.length ? 'failed' : 'partial';
  const symbols = input.symbols === null ? null : symbolsReport(input.symbols);
  const calendar = input.calendar === null ? null : calendarReport(input.calendar.outcome, input.calendar.plan);
  const document: SyncDocument = {
    success: status === 'succeeded',
    message: messageOf(input.dryRun, symbols, calendar, outcomes),
    run_id: input.runId,
    dry_run: input.dryRun,
    result: { symbols, calendar },
    updated_at: new Date(input.nowMs).toISOString(),
    source: 'node',
  };
  if (status === 'failed') document.error = { code: 'E_SOURCE_REFUSED', sources: refused };
  return { document, status, refused };
}

function symbolsReport(input: NonNullable<SyncDocumentInput['symbols']>): SymbolsReport {
  const totals: ChangeCounts = { added: 0, renamed: 0, updated: 0, delisted: 0, relisted: 0, unchanged: 0 };
  const byType: Record<string, number> = {};
  const delisted: string[] = [];
  const relisted: string[] = [];
  for (const plan of input.plans) {
    for (const key of Object.keys(totals) as Array<keyof ChangeCounts>) totals[key] += plan.counts[key];
    for (const listing of plan.listings) byType[listing.type] = (byType[listing.type] ?? 0) + 1;
    delisted.push(...plan.delist);
    relisted.push(...plan.relisted);
  }
  return {
    sources: input.outcomes.map((outcome) => ({
      market: outcome.source,
      url: outcome.url,
      ok: outcome.refusal === null,
      rows: outcome.counts?.rows ?? 0,
      kept: outcome.counts?.kept ?? 0,
      skipped: outcome.counts?.skipped ?? {},
      invalid: outcome.counts?.invalid ?? 0,
      ...(outcome.refusal === null ? {} : { error: errorOf(outcome.refusal) }),
    })),
    ...totals,
    active: input.active,
    by_type: byType,
    delisted_codes: delisted.sort().slice(0, LISTED_CODES_MAX),
    relisted_codes: relisted.sort().slice(0, LISTED_CODES_MAX),
  };
}

function calendarReport(outcome: SourceOutcome, plan: CalendarSyncPlan | null): CalendarReport {
  return {
    url: outcome.url,
    ok: outcome.refusal === null,
    year: plan?.year ?? null,
    holidays: plan?.holidays.length ?? 0,
    added: plan?.added.length ?? 0,
    removed: plan?.removed.length ?? 0,
    changed: plan?.changed.length ?? 0,
    trading_days: plan?.tradingDays ?? 0,
    ...(outcome.refusal === null ? {} : { error: errorOf(outcome.refusal) }),
  };
}

function errorOf(refusal: SourceRefusal): SourceError {
  return {
    code: 'E_SOURCE_REFUSED',
    reason: refusal.reason,
    message: refusal.message,
    ...(refusal.status === undefined ? {} : { status: refusal.status }),
  };
}

function messageOf(dryRun: boolean, symbols: SymbolsReport | null, calendar: CalendarReport | null, outcomes: SourceOutcome[]): string {
  const parts: string[] = [];
  if (symbols !== null) {
    const used = symbols.sources.filter((source) => source.ok).map((source) => `${source.market} ${source.kept} of ${source.rows} rows kept`);
    if (used.length > 0) {
      parts.push(
        `${used.join(', ')}: ${symbols.added} added, ${symbols.renamed} renamed, ${symbols.updated} updated, ` +
          `${symbols.delisted} delisted, ${symbols.relisted} relisted, ${symbols.unchanged} unchanged ` +
          `(active: TSE ${symbols.active.TSE}, TPEx ${symbols.active.TPEx})`,
      );
    }
  }
  if (calendar?.ok === true) {
    parts.push(`calendar ${calendar.year}: ${calendar.holidays} holidays, ${calendar.added} added, ${calendar.removed} removed`);
  }
  for (const outcome of outcomes) {
    if (outcome.refusal !== null) parts.push(`${outcome.source} left unchanged: ${outcome.refusal.message} (${outcome.url})`);
  }
  return `${dryRun ? 'sync (dry run, nothing written)' : 'sync'}: ${parts.join('; ')}`;
}
