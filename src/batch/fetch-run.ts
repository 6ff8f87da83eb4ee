import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { DailyBar } from '../core/daily-bar.js';
import { openStore, type Store } from '../db/open-store.js';
import type { Logger } from '../logger.js';
import { publishRunMetrics, startRunMetrics } from '../metrics/publish.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { RejectedBar } from '../validate/validate-bars.js';
import { buildLegacyBatchKeys } from '../documents/legacy-batch-result.js';
import { crawlSymbols } from './crawl-symbols.js';
import { createLegacyLedger } from './legacy-stock.js';
import { runExitCode } from './run-ending.js';
import type { BatchSymbolResult } from './run-batch.js';
import { graceAfter } from './shutdown-grace.js';
import { createSummaryAccumulator } from './summary.js';
import { type BatchSummary } from '../documents/batch-summary.js';
import { runRecordFromSummary } from './summary-run-record.js';
import { toOutcome } from './symbol-outcome.js';

/** One symbol to fetch. */
export interface FetchRequest {
  /** Already checked (normaliseSymbol). */
  symbol: string;
  /** Fetch, parse and validate, but write nothing (and, unless skipFresh, open no database). */
  dryRun: boolean;
  /** Skip without a request a symbol already holding the last closed session. */
  skipFresh: boolean;
}

/** What a `fetch` runs with. */
export interface FetchEnvironment {
  config: Config;
  logger: Logger;
  /** SIGINT/SIGTERM: the symbol in flight gets the shutdown grace, then its requests are cancelled. */
  signal: AbortSignal;
  clock?: Clock;
}

/** How the symbol ended, the bars it got and the rows validation refused. */
export interface FetchEnd {
  /** undefined when the run stopped before the symbol was done (a signal, a fatal error). */
  result: BatchSymbolResult | undefined;
  bars: readonly DailyBar[];
  rejected: readonly RejectedBar[];
  /** The run as `update` would summarise it: one symbol. */
  summary: BatchSummary;
  exitCode: number;
}

/**
 * `fetch`: one symbol's whole history through the same pipeline as `update` (failover,
 * validation, the second opinion on an empty answer, the bar writer), straight to the
 * mirrors rather than through the batch's pool.
 */
export async function runFetch(request: FetchRequest, env: FetchEnvironment): Promise<FetchEnd> {
  const { config, logger } = env;
  const clock = env.clock ?? systemClock;
  const startedAtMs = clock.now();
  // A dry run reads the database only to know what is fresh.
  const store: Store | undefined = request.dryRun && !request.skipFresh ? undefined : await openStore(config, logger);
  try {
    const metrics = await startRunMetrics(config, { command: 'fetch' });
    const crawled = await crawlOne(request, store, metrics, env, clock);
    const { end, result } = crawled;
    const runId = randomUUID();
    const finishedAtMs = clock.now();
    const summary = crawled.accumulator.build({
      runId,
      startedAtMs,
      finishedAtMs,
      total: 1,
      brokers: end.brokers,
      interrupted: env.signal.aborted,
      dryRun: request.dryRun,
      fatal: end.fatal === undefined ? undefined : { code: end.fatal.code, message: end.fatal.message },
      legacy: buildLegacyBatchKeys(
        crawled.ledger.input({ taskId: runId, totalStocks: 1, executionTimeSeconds: (finishedAtMs - startedAtMs) / 1000, timeZone: config.timeZone }),
        { detailed: false },
      ),
    });
    if (end.fatal !== undefined && result === undefined) throw end.fatal;
    logResult(result, logger);
    if (metrics !== undefined) {
      metrics.recordRun(runRecordFromSummary(summary));
      await publishRunMetrics(metrics, config, logger);
    }
    return { result, bars: crawled.bars, rejected: crawled.rejected, summary, exitCode: runExitCode(summary, end.fatal, env.signal) };
  } finally {
    await store?.close();
  }
}

/** The one symbol through the pipeline, straight to the mirrors; what it ended as and the bars it got. */
async function crawlOne(request: FetchRequest, store: Store | undefined, metrics: RunMetrics | undefined, env: FetchEnvironment, clock: Clock) {
  const accumulator = createSummaryAccumulator();
  const ledger = createLegacyLedger();
  const grace = graceAfter(env.signal, env.config.shutdownGraceMs);
  const seen: { result?: BatchSymbolResult; bars: readonly DailyBar[]; rejected: readonly RejectedBar[] } = { bars: [], rejected: [] };
  try {
    const end = await crawlSymbols(
      { symbols: [request.symbol], force: !request.skipFresh, full: true, onlyStale: request.skipFresh, dryRun: request.dryRun },
      {
        config: env.config,
        logger: env.logger,
        store,
        pooled: false,
        metrics,
        clock,
        grace,
        shouldStop: () => env.signal.aborted,
        onResult: (done) => {
          seen.result = done;
          const outcome = toOutcome(done);
          accumulator.add(outcome);
          ledger.add(done, clock.now());
          metrics?.observeSymbol(outcome);
        },
        onBars: (_symbol, accepted, refused) => {
          seen.bars = accepted;
          seen.rejected = refused;
        },
      },
    );
    return { end, accumulator, ledger, ...seen, result: seen.result };
  } finally {
    grace.dispose();
  }
}

function logResult(result: BatchSymbolResult | undefined, logger: Logger): void {
  if (result === undefined || result.status === 'skipped') return;
  if (result.status === 'failed') {
    logger.error({ symbol: result.symbol, code: result.code, attempts: result.attempts.length }, 'no mirror delivered');
    return;
  }
  if (result.validation.rejected > 0) logger.warn({ symbol: result.symbol, byRule: result.validation.byRule }, 'rows rejected by validation');
  logger.info({ symbol: result.symbol, broker: result.broker, bars: result.bars, counts: result.counts }, 'symbol done');
}
