import { crawlSymbol, type SymbolResult } from '../../batch/crawl-symbol.js';
import { calendarDateIn, systemClock } from '../../clock.js';
import type { Config } from '../../config/schema.js';
import { EXIT_CODES } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { publishRunMetrics, startRunMetrics } from '../../metrics/publish.js';
import { runRecordFromFetch } from '../../metrics/run-record.js';
import type { Attempt } from '../../mirrors/fetch-symbol.js';
import { normaliseSymbol } from '../../validate/symbol.js';
import type { CommandOutput } from '../command-output.js';
import { createCrawlRuntime } from '../crawl-runtime.js';
import { formatCsv, formatTable, type OutputRow } from '../format-bars.js';
import { openStore, type Store } from '../open-store.js';

export interface FetchCommandInput {
  symbol: string;
  dryRun: boolean;
  format: 'json' | 'table' | 'csv';
  config: Config;
  logger: Logger;
}

/**
 * `stock-crawler fetch <symbol>`: one symbol through failover, the parser pool and
 * validation into the database; prints the backend's fetch document.
 */
export async function fetchCommand(input: FetchCommandInput): Promise<CommandOutput> {
  // A bad symbol stops here: no request, no database.
  const symbol = normaliseSymbol(input.symbol);
  const { config, logger } = input;
  const startedAtMs = systemClock.now();
  const store: Store | undefined = input.dryRun ? undefined : await openStore(config, logger);
  try {
    const metrics = await startRunMetrics(config, { command: 'fetch' });
    const runtime = createCrawlRuntime(config, logger, { metrics });
    try {
      const result = await crawlSymbol(symbol, {
        fetch: (code) => runtime.fetch(code),
        today: () => calendarDateIn(systemClock.now(), config.timeZone),
        save: store === undefined ? undefined : (bars, broker) => store.bars.upsertBars(bars, broker),
      });
      logResult(result, logger);
      if (metrics !== undefined) {
        metrics.recordRun(runRecordFromFetch(result, { startedAtMs, finishedAtMs: systemClock.now(), dryRun: input.dryRun }));
        await publishRunMetrics(metrics, config, logger);
      }
      return toOutput(result, input);
    } finally {
      await runtime.close();
    }
  } finally {
    await store?.close();
  }
}

function toOutput(result: SymbolResult, input: FetchCommandInput): CommandOutput {
  const attempts = result.attempts.map(roundAttempt);
  const updatedAt = new Date(systemClock.now()).toISOString();
  if (!result.ok) {
    return {
      exitCode: EXIT_CODES.failed,
      document: {
        success: false,
        message: result.message,
        stock_code: result.symbol,
        data: [],
        error: { code: result.code },
        attempts,
        updated_at: updatedAt,
        source: 'node',
      },
    };
  }
  const rows: OutputRow[] = result.bars.map((bar) => ({
    stock_code: bar.stock_code,
    trade_date: bar.trade_date,
    open_price: bar.open_price,
    high_price: bar.high_price,
    low_price: bar.low_price,
    close_price: bar.close_price,
    volume: bar.volume,
  }));
  const counts = result.counts ?? { created: 0, updated: 0, unchanged: 0 };
  const document = {
    success: true,
    message: describe(result, input.dryRun),
    stock_code: result.symbol,
    data: rows,
    records_processed: result.validation.input,
    created: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    rejected: result.rejected,
    validation: result.validation,
    dry_run: input.dryRun,
    broker: result.broker,
    attempts,
    updated_at: updatedAt,
    source: 'node',
  };
  if (input.format === 'csv') return { exitCode: EXIT_CODES.ok, document, text: formatCsv(rows) };
  if (input.format === 'table') return { exitCode: EXIT_CODES.ok, document, text: `${formatTable(rows)}${document.message}\n` };
  return { exitCode: EXIT_CODES.ok, document };
}

function describe(result: Extract<SymbolResult, { ok: true }>, dryRun: boolean): string {
  const { validation } = result;
  if (validation.input === 0) return `${result.symbol}: the mirror has no data for this symbol (${result.broker})`;
  const base = `${result.symbol}: ${validation.accepted} bars from ${result.broker}`;
  const rejected = `${validation.rejected} rejected, ${validation.duplicates} duplicate dates`;
  if (dryRun || result.counts === null) return `${base} (dry run, nothing written; ${rejected})`;
  const { created, updated, unchanged } = result.counts;
  return `${base}: ${created} created, ${updated} updated, ${unchanged} unchanged; ${rejected}`;
}

function logResult(result: SymbolResult, logger: Logger): void {
  if (!result.ok) {
    logger.error({ symbol: result.symbol, code: result.code, attempts: result.attempts.map(roundAttempt) }, 'no mirror delivered');
    return;
  }
  if (result.validation.rejected > 0) {
    logger.warn({ symbol: result.symbol, byRule: result.validation.byRule }, 'rows rejected by validation');
  }
  logger.info({ symbol: result.symbol, broker: result.broker, bars: result.bars.length, counts: result.counts }, 'symbol done');
}

function roundAttempt(attempt: Attempt): Attempt {
  return { ...attempt, ms: Math.round(attempt.ms) };
}
