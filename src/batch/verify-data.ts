import { calendarDateIn, systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { createBarWriter, type BarWriter } from '../db/bars/bar-writer.js';
import { createHolidaysRepository } from '../db/market/holidays-repository.js';
import { openStore, type Store } from '../db/open-store.js';
import { openAgainstDatabase, type AgainstDatabase } from '../db/quality/against-database.js';
import { createCompletenessReader } from '../db/quality/completeness-reader.js';
import { createSymbolRowsReader } from '../db/quality/symbol-rows.js';
import { createRunsRepository } from '../db/runs/runs-repository.js';
import { createStocksRepository } from '../db/stocks/stocks-repository.js';
import type { Logger } from '../logger.js';
import { publishRunMetrics } from '../metrics/publish.js';
import { validateBars } from '../validate/validate-bars.js';
import type { FetchWindow } from '../verify/check-agreement.js';
import { createVerifyMetrics, VERIFY_METRIC } from '../verify/verify-metrics.js';
import { runVerify, type VerifyOutcome, type VerifySelection } from '../verify/verify-run.js';
import { createCrawlRuntime, type CrawlRuntime } from './crawl-runtime.js';
import { logRetry } from './database-retry.js';
import { checkStoredSymbols } from './select-symbols.js';
import { holidayCalendar, lastClosedSession } from './trading-session.js';

/** What `verify` is asked to check. */
export interface VerifyRequest {
  selection: VerifySelection;
  /** Newest stored bars compared per symbol. */
  bars: number;
  /** Random active symbols asked of the mirrors (with the sample selection). */
  sample: number;
  /** Percent below which agreement fails. */
  minAgreement: number;
  repair: boolean;
  /** Another database to compare with, and the days compared. */
  against?: { url: string; from?: string | undefined; to?: string | undefined } | undefined;
}

/** What `verify` runs with. */
export interface VerifyEnvironment {
  config: Config;
  logger: Logger;
  signal: AbortSignal;
  clock?: Clock;
}

/**
 * `verify`: opens the database, the mirror pool (the same polite pool, failover and circuits
 * as `update`), the bar writer for `--repair` and the other database for `--against`, runs
 * the checks, publishes the run's metrics, and closes all of it.
 */
export async function verifyData(request: VerifyRequest, env: VerifyEnvironment): Promise<VerifyOutcome> {
  const { config, logger } = env;
  const clock = env.clock ?? systemClock;
  const store = await openStore(config, logger);
  const asksMirrors = request.selection.kind !== 'sample' || request.sample > 0;
  const runtime = asksMirrors ? createCrawlRuntime(config, logger, { pooled: true }) : undefined;
  const writer = request.repair ? createBarWriter({ db: store.handle.db, repository: store.bars, retryMs: config.dbRetryMs, onRetry: logRetry(logger) }) : undefined;
  let against: AgainstDatabase | undefined;
  try {
    against = request.against === undefined ? undefined : await openAgainstDatabase(request.against.url);
    const outcome = await checkStore(store, { request, env, clock, runtime, writer, against });
    await publishVerifyMetrics(outcome, config, logger);
    return outcome;
  } finally {
    await writer?.close();
    await runtime?.close();
    await against?.close();
    await store.close();
  }
}

interface Parts {
  request: VerifyRequest;
  env: VerifyEnvironment;
  clock: Clock;
  runtime: CrawlRuntime | undefined;
  writer: BarWriter | undefined;
  against: AgainstDatabase | undefined;
}

async function checkStore(store: Store, parts: Parts): Promise<VerifyOutcome> {
  const { request, env, clock, runtime, writer, against } = parts;
  const { config, logger } = env;
  const db = store.handle.db;
  const kind = store.bars.tradeDateKind;
  const holidays = await createHolidaysRepository(db).days();
  const lastSession = lastClosedSession(clock.now(), { timeZone: config.timeZone, readyAt: config.readyAt, holidays: holidayCalendar(holidays) });
  const stocks = await createStocksRepository(db);
  return runVerify({
    selection: request.selection,
    // A bad code in the backend's table is set aside, as `update` does.
    activeSymbols: async () => checkStoredSymbols(await stocks.activeSymbols()).valid,
    completeness: createCompletenessReader(db, kind),
    recentBars: (symbols, perSymbol) => store.bars.recentBars(symbols, perSymbol),
    fetchWindow: runtime === undefined ? undefined : windowFetcher(runtime, config, clock, env.signal),
    repair: writer === undefined ? undefined : (group) => writer.write(group.symbol, group.bars, group.source),
    against: against === undefined ? undefined : { ours: createSymbolRowsReader(db, kind), theirs: against, from: request.against?.from, to: request.against?.to },
    runs: createRunsRepository(db),
    holidays: new Set(holidays),
    lastSession,
    options: { bars: request.bars, sample: request.sample, minAgreement: request.minAgreement, repair: request.repair, concurrency: config.concurrency },
    clock,
    logger,
    signal: env.signal,
  });
}

/** A symbol's newest `count` bars from one mirror (none of `exclude`), validated: an empty answer is that mirror's fault. */
function windowFetcher(runtime: CrawlRuntime, config: Config, clock: Clock, signal: AbortSignal): FetchWindow {
  return async (symbol, count, exclude) => {
    const outcome = await runtime.fetch(symbol, { count, known: true, exclude, signal });
    if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
    const today = calendarDateIn(clock.now(), config.timeZone);
    return { ok: true, broker: outcome.broker, bars: validateBars(symbol, outcome.value, { today }).accepted };
  };
}

async function publishVerifyMetrics(outcome: VerifyOutcome, config: Config, logger: Logger): Promise<void> {
  if (config.metricsFile === undefined && config.pushgateway === undefined) return;
  const metrics = createVerifyMetrics(outcome.document);
  await publishRunMetrics({ ...metrics, command: 'verify', shard: 'all', lastSuccessMetric: VERIFY_METRIC.lastSuccess }, config, logger);
}
