import { calendarDateIn, type Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { createBarWriter, type BarWriter } from '../db/bars/bar-writer.js';
import type { Store } from '../db/open-store.js';
import type { Logger } from '../logger.js';
import type { AttemptObserver } from '../metrics/run-metrics.js';
import type { MirrorStats } from '../mirrors/mirror-slot.js';
import { createCrawlRuntime } from './crawl-runtime.js';
import { logRetry, retrying } from './database-retry.js';
import { runBatch, type BatchEnd, type BatchSymbolResult, type RunBatchDeps } from './run-batch.js';
import type { ShutdownGrace } from './shutdown-grace.js';
import { prepareBulkLoad } from './bulk-load.js';
import { readStoredTails } from './stored-tails.js';
import { createHolidaysRepository } from '../db/market/holidays-repository.js';
import { holidayCalendar, lastClosedSession } from './trading-session.js';

// Symbols in flight per request slot: the others parse, validate or wait for their commit.
const SYMBOLS_PER_REQUEST_SLOT = 4;
// Bars asked for by the symbols in flight: about 35 full histories (2,880 asked for, at
// most 1,440 sent), enough to keep the writer's 20,000-row statements coming on a
// backfill while some 50,000 bars sit in memory, not one history per symbol slot.
const BARS_IN_FLIGHT = 100_000;
// Symbols whose stored tails one statement reads, at most: no more than one chunk's rows
// exist as objects at once, and taking a chunk in holds the event loop for a few ms only
// (1,000 symbols held it 10-15 ms, while the first answers came in).
const TAIL_CHUNK = 256;

/** What to crawl and how. */
export interface CrawlRequest {
  symbols: readonly string[];
  /** Fetch symbols that are up to date. */
  force: boolean;
  /** Ask for whole histories, not the new bars. */
  full: boolean;
  /** Write nothing. */
  dryRun: boolean;
  /** With `full`, still skip what is fresh (`fetch --skip-fresh`). */
  onlyStale?: boolean | undefined;
}

/** The run around a crawl: where bars are read and written, its pool, and how it stops and reports. */
export interface CrawlContext {
  config: Config;
  logger: Logger;
  /** The database; absent, nothing stored is read and nothing is written (`fetch --dry-run`). */
  store: Store | undefined;
  /** Through the batch's polite pool and circuit breakers (`update`), or straight to the mirrors (`fetch`). */
  pooled: boolean;
  metrics: AttemptObserver | undefined;
  clock: Clock;
  grace: ShutdownGrace;
  /** Stop starting symbols (a signal, the run lock lost). */
  shouldStop(): boolean;
  onResult(result: BatchSymbolResult): void;
  onBars?: RunBatchDeps['onBars'];
}

/** How the crawl ended, and each mirror's requests when it ran pooled. */
export interface CrawlEnd extends BatchEnd {
  brokers: Record<string, MirrorStats>;
}

/**
 * The one pipeline of `update` and `fetch`: reads each symbol's newest stored bars, plans it
 * (skip, incremental or full), fetches it from the mirrors, validates it, checks it against
 * what is stored and other mirrors, and hands it to the bar writer. Builds the mirror
 * runtime and the writer, and closes both.
 */
export async function crawlSymbols(request: CrawlRequest, context: CrawlContext): Promise<CrawlEnd> {
  const { config, logger, store, grace } = context;
  const runtime = createCrawlRuntime(config, logger, { pooled: context.pooled, metrics: context.metrics });
  const writer: BarWriter | undefined =
    store === undefined || request.dryRun
      ? undefined
      : createBarWriter({ db: store.handle.db, repository: store.bars, retryMs: config.dbRetryMs, signal: grace.cancel, onRetry: logRetry(logger) });
  let bulkLoad: Promise<(() => Promise<void>) | undefined> | undefined;
  const symbols = [...new Set(request.symbols)];
  const read = retrying(config.dbRetryMs, grace.cancel, logger);
  // One read for both: a symbol's newest stored day is the last of its recent bars.
  const tails =
    store === undefined
      ? undefined
      : readStoredTails(symbols, config.overlapBars, (chunk, perSymbol) => read(() => store.bars.recentBars(chunk, perSymbol)), {
          first: config.concurrency,
          most: TAIL_CHUNK,
        });
  try {
    const holidaysRead = store === undefined ? Promise.resolve([]) : read(() => createHolidaysRepository(store.handle.db).days());
    // The mirrors' connections are set up while the stored tails and the holidays are read.
    runtime.warmUp(symbols.length);
    const holidays = await holidaysRead;
    // Weekdays less the stored holidays; weekdays alone until a calendar was synced.
    const calendar = holidayCalendar(holidays);
    const nowMs = context.clock.now();
    const today = calendarDateIn(nowMs, config.timeZone);
    const lastSession = lastClosedSession(nowMs, { timeZone: config.timeZone, readyAt: config.readyAt, holidays: calendar });
    if (writer !== undefined && store !== undefined && tails !== undefined) {
      // Not awaited: the first requests go out while it runs; writes wait for the connection it holds.
      bulkLoad = tails.done.then(
        (held) =>
          read(() => prepareBulkLoad(store.handle, symbols.length - held.size, logger)).catch((error: unknown) => {
            logger.warn({ err: error }, 'bulk load not prepared: the bars are written as on any run');
            return undefined;
          }),
        // A failed read stops the batch (runBatch reports it): there is no load to prepare.
        () => undefined,
      );
    }
    const end = await runBatch({
      symbols,
      latestStored: async (symbol) => (tails === undefined ? null : tails.newestDay(symbol)),
      recentBars: async (codes, perSymbol) => tails?.lastBars(codes, perSymbol) ?? new Map(),
      fetch: (symbol, fetchRequest) => runtime.fetch(symbol, { ...fetchRequest, signal: grace.cancel }),
      enqueue: writer === undefined ? undefined : (symbol, bars, broker) => writer.enqueue(symbol, bars, broker),
      // A failed flush fails its writes, and each write's failure reaches its symbol.
      flushWrites: writer === undefined ? undefined : () => void writer.flush().catch(() => undefined),
      today,
      lastSession,
      options: {
        force: request.force,
        full: request.full,
        onlyStale: request.onlyStale,
        holidays: calendar,
        overlapBars: config.overlapBars,
        fullCount: config.barCount,
        confirmBars: config.confirmBars,
        mirrorCount: runtime.mirrors.length,
        symbolsInFlight: config.concurrency * SYMBOLS_PER_REQUEST_SLOT,
        barsInFlight: BARS_IN_FLIGHT,
      },
      chargeMirror: (broker) => runtime.scheduler?.charge(broker),
      onResult: context.onResult,
      onBars: context.onBars,
      shouldStop: context.shouldStop,
      cancel: grace.cancel,
      // Nothing in flight can succeed after a fatal error; symbols sleeping in backoff wake now.
      onFatal: (error) => grace.cancelNow(error),
    });
    return { ...end, brokers: runtime.scheduler?.stats() ?? {} };
  } finally {
    try {
      // No statement of the run outlives it, even when it ended before every tail was read.
      await tails?.done.catch(() => undefined);
      // Together: the mirrors' sockets close while the writer's last commit is waited for.
      const [written] = await Promise.allSettled([writer?.close(), runtime.close()]);
      if (written.status === 'rejected') throw written.reason;
    } finally {
      // Last, with the parser threads gone: the build's sort is the run's largest allocation.
      await (await bulkLoad)?.();
    }
  }
}
