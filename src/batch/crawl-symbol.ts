import type { UpsertCounts } from '../db/bars/daily-bars-repository.js';
import type { Attempt, FetchFailureCode, FetchOutcome } from '../mirrors/fetch-symbol.js';
import type { DailySeries } from '../core/daily-series.js';
import type { DailyBar } from '../core/daily-bar.js';
import { validateBars, type RejectedBar, type ValidationResult } from '../validate/validate-bars.js';

/** One symbol, fetched, validated and (unless it is a dry run) stored. */
export interface SymbolSuccess {
  ok: true;
  symbol: string;
  broker: string;
  bars: DailyBar[];
  rejected: RejectedBar[];
  validation: ValidationResult['counts'];
  /** null when nothing was written (dry run). */
  counts: UpsertCounts | null;
  attempts: Attempt[];
}

/** A symbol no mirror delivered; its neighbours carry on. */
export interface SymbolFailure {
  ok: false;
  symbol: string;
  code: FetchFailureCode;
  message: string;
  attempts: Attempt[];
}

export type SymbolResult = SymbolSuccess | SymbolFailure;

/** What one symbol's crawl needs; every piece of I/O is passed in. */
export interface CrawlSymbolDeps {
  /** Fetches and parses with failover (fetchSymbol bound to the mirrors, client and parser). */
  fetch: (symbol: string) => Promise<FetchOutcome<DailySeries>>;
  /** Today's date in the trading calendar's time zone, `YYYY-MM-DD`. */
  today: () => string;
  /** Stores one symbol's bars atomically; absent in a dry run. A database failure throws: it is fatal. */
  save?: ((bars: readonly DailyBar[], broker: string) => Promise<UpsertCounts>) | undefined;
}

/**
 * Fetch → validate → save for one symbol. A mirror failure is a result, not an exception;
 * only the store's failure (the database is gone) propagates, because no later symbol
 * could be stored either.
 */
export async function crawlSymbol(symbol: string, deps: CrawlSymbolDeps): Promise<SymbolResult> {
  const outcome = await deps.fetch(symbol);
  if (!outcome.ok) {
    return { ok: false, symbol, code: outcome.code, message: outcome.message, attempts: outcome.attempts };
  }
  const validation = validateBars(symbol, outcome.value, { today: deps.today() });
  const counts = deps.save === undefined ? null : await deps.save(validation.accepted, outcome.broker);
  return {
    ok: true,
    symbol,
    broker: outcome.broker,
    bars: validation.accepted,
    rejected: validation.rejected,
    validation: validation.counts,
    counts,
    attempts: outcome.attempts,
  };
}
