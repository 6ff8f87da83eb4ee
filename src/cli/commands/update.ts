import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { runBatch, type BatchSymbolResult } from '../../batch/run-batch.js';
import { createProgressReporter } from '../../batch/progress.js';
import { checkStoredSymbols, parseSymbolArgument, readSymbolsFile } from '../../batch/select-symbols.js';
import { inShard, parseShard, type Shard } from '../../batch/shard.js';
import { lastBars, newestDays } from '../../batch/stored-bars.js';
import { createSummaryAccumulator, type BatchSummary, type SummaryAccumulator, type SymbolOutcome } from '../../batch/summary.js';
import { lastClosedSession } from '../../batch/trading-session.js';
import { calendarDateIn, systemClock, type Clock } from '../../clock.js';
import type { Config } from '../../config/schema.js';
import { createBarWriter, type BarWriter } from '../../db/bars/bar-writer.js';
import { acquireRunLock, type RunLock } from '../../db/locks/run-lock.js';
import { createRunsRepository, type RunsRepository, type RunStatus } from '../../db/runs/runs-repository.js';
import { createStocksRepository } from '../../db/stocks/stocks-repository.js';
import { retryTransient, type RetryEvent } from '../../db/connection/transient-retry.js';
import { EXIT_CODES, exitCodeFor, exitCodeForSignal, LockHeldError, UsageError, type CrawlerError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { publishRunMetrics, startRunMetrics } from '../../metrics/publish.js';
import { runRecordFromSummary } from '../../metrics/run-record.js';
import type { CommandOutput } from '../command-output.js';
import { createCrawlRuntime } from '../crawl-runtime.js';
import { openStore, type Store } from '../open-store.js';

/** `update`'s own flags; the shared ones arrive through Config. */
export interface UpdateOptions {
  symbols?: string | undefined;
  symbolsFile?: string | undefined;
  force: boolean;
  full: boolean;
  dryRun: boolean;
}

export interface UpdateCommandInput {
  options: UpdateOptions;
  config: Config;
  logger: Logger;
  /** Reads standard input, for `--symbols-file -`. */
  readStdin: () => Promise<string>;
  /** Where the progress bar goes (stderr). */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted by SIGINT/SIGTERM: no new symbols start; the run winds down and says so. */
  signal: AbortSignal;
  /** Decides "today" and the last closed session; the system clock in production. */
  clock?: Clock;
}

// Symbols in flight per request slot: the others parse, validate or wait for their commit.
const SYMBOLS_PER_REQUEST_SLOT = 4;
// Bars asked for by the symbols in flight: about 35 full histories (2,880 asked for, at
// most 1,440 sent), enough to keep the writer's 20,000-row statements coming on a
// backfill while some 50,000 bars sit in memory, not one history per symbol slot.
const BARS_IN_FLIGHT = 100_000;
const HEARTBEAT_MS = 5_000;

/**
 * `stock-crawler update`: the nightly batch over every active symbol (or a list, or a
 * shard of either). Prints the backend's batch summary; records the run in crawl_runs.
 */
export async function updateCommand(input: UpdateCommandInput): Promise<CommandOutput> {
  const { options, config, logger } = input;
  // Bad input stops the run before any connection is opened.
  const explicit = await explicitSymbols(options, input.readStdin);
  const shard = config.shard === undefined ? undefined : parseShard(config.shard);

  const store = await openStore(config, logger);
  try {
    // One update per shard at a time; a dry run writes nothing, so it neither takes nor waits for it.
    let lock: RunLock | undefined;
    try {
      lock = options.dryRun
        ? undefined
        : await acquireRunLock(
            store.handle.kind === 'postgres' ? config.databaseUrl : undefined,
            { job: 'update', shard: shard === undefined ? null : `${shard.index}/${shard.count}` },
            { waitMs: config.waitLockMs, signal: input.signal, logger, reacquireMs: config.dbRetryMs },
          );
    } catch (error) {
      if (error instanceof LockHeldError && input.signal.aborted) return stoppedWaiting(error, explicit, shard, input);
      throw error;
    }
    try {
      const symbols = await universe(store, explicit, shard, options.dryRun, logger);
      return await crawl(symbols, shard, store, input, lock);
    } finally {
      await lock?.release();
    }
  } finally {
    await store.close();
  }
}

/**
 * A stop signal while waiting for another run's lock: nothing started, nothing is recorded
 * (crawl_runs is the holder's to write while it runs), and the summary says interrupted.
 */
function stoppedWaiting(error: LockHeldError, explicit: string[] | undefined, shard: Shard | undefined, input: UpdateCommandInput): CommandOutput {
  const now = (input.clock ?? systemClock).now();
  const symbols = explicit === undefined || shard === undefined ? explicit : explicit.filter((symbol) => inShard(symbol, shard));
  const summary = createSummaryAccumulator().build({
    runId: randomUUID(),
    startedAtMs: now,
    finishedAtMs: now,
    total: symbols?.length ?? 0,
    brokers: {},
    interrupted: true,
    dryRun: input.options.dryRun,
  });
  input.logger.warn({ err: error }, 'stopped waiting for the run lock');
  const document: BatchSummary = { ...summary, message: `interrupted while waiting for the run lock: ${error.message}` };
  return { document, exitCode: exitCodeForSignal(input.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM') };
}

async function explicitSymbols(options: UpdateOptions, readStdin: () => Promise<string>): Promise<string[] | undefined> {
  if (options.symbols !== undefined && options.symbolsFile !== undefined) {
    throw new UsageError('give --symbols or --symbols-file, not both');
  }
  if (options.symbols !== undefined) return parseSymbolArgument(options.symbols);
  if (options.symbolsFile === undefined) return undefined;
  return readSymbolsFile(options.symbolsFile, {
    readFile: (path) => readFile(path, 'utf8'),
    readStdin,
  });
}

async function universe(store: Store, explicit: string[] | undefined, shard: Shard | undefined, dryRun: boolean, logger: Logger): Promise<string[]> {
  const stocks = await createStocksRepository(store.handle.db);
  let all = explicit;
  if (all === undefined) {
    const { valid, invalid } = checkStoredSymbols(await stocks.activeSymbols());
    if (invalid.length > 0) logger.warn({ invalid: invalid.slice(0, 20), count: invalid.length }, 'stocks rows with invalid codes skipped');
    all = valid;
    if (all.length === 0) throw new UsageError('the stocks table has no active symbols; give --symbols or --symbols-file');
  } else if (!dryRun) {
    const { added } = await stocks.ensureSymbols(all);
    if (added.length > 0) logger.info({ added: added.length }, 'symbols added to stocks');
  }
  return shard === undefined ? all : all.filter((symbol) => inShard(symbol, shard));
}

async function crawl(symbols: string[], shard: Shard | undefined, store: Store, input: UpdateCommandInput, lock: RunLock | undefined): Promise<CommandOutput> {
  const { options, config, logger, signal } = input;
  const clock = input.clock ?? systemClock;
  const runId = randomUUID();
  const startedAtMs = clock.now();
  const shardText = shard === undefined ? null : `${shard.index}/${shard.count}`;
  const runs = options.dryRun ? undefined : createRunsRepository(store.handle.db);
  await runs?.start({
    id: runId,
    job: 'update',
    shard: shardText,
    arguments: { ...options, symbols: options.symbols === undefined ? undefined : symbols.length, shard: shardText },
    pid: process.pid,
    host: hostname(),
    total: symbols.length,
  });
  logger.info({ runId, symbols: symbols.length, shard: shardText, dryRun: options.dryRun }, 'update started');

  const metrics = await startRunMetrics(config, { command: 'update', shard: shardText ?? undefined });
  const accumulator = createSummaryAccumulator();
  const progress = createProgressReporter({
    total: symbols.length,
    tty: input.stderr.isTTY === true,
    quiet: config.quiet,
    stream: input.stderr,
    logger,
    now: () => clock.now(),
    intervalMs: config.progressIntervalMs,
  });
  const heartbeat = runs === undefined ? undefined : startHeartbeat(runs, runId, symbols.length, accumulator, logger);
  const grace = graceAfter(signal, config.shutdownGraceMs);
  // Another run took the lock, or it could not be taken again: stop as after any fatal error.
  lock?.lost.addEventListener('abort', () => grace.cancelNow(lock.lost.reason), { once: true });
  // Reads and bookkeeping ride out an outage as the writer does; they stop retrying with the run.
  const retrying = <T>(work: () => Promise<T>): Promise<T> =>
    retryTransient(work, { budgetMs: config.dbRetryMs }, { signal: grace.cancel, onRetry: logRetry(logger) });

  const runtime = createCrawlRuntime(config, logger, { pooled: true, metrics });
  const writer: BarWriter | undefined = options.dryRun
    ? undefined
    : createBarWriter({ db: store.handle.db, repository: store.bars, retryMs: config.dbRetryMs, signal: grace.cancel, onRetry: logRetry(logger) });
  let end: Awaited<ReturnType<typeof runBatch>> | undefined;
  try {
    // One query for both: a symbol's newest stored day is the last of its recent bars.
    const reading = retrying(() => store.bars.recentBars(symbols, Math.max(1, config.overlapBars)));
    // The calendar (the time zone's first use loads its rules) is worked out while the query runs.
    const nowMs = clock.now();
    const today = calendarDateIn(nowMs, config.timeZone);
    const lastSession = lastClosedSession(nowMs, { timeZone: config.timeZone, readyAt: config.readyAt });
    const recent = await reading;
    end = await runBatch({
      symbols,
      latestStored: newestDays(recent),
      recentBars: async (codes, perSymbol) => lastBars(recent, codes, perSymbol),
      fetch: (symbol, request) => runtime.fetch(symbol, { ...request, signal: grace.cancel }),
      enqueue: writer === undefined ? undefined : (symbol, bars, broker) => writer.enqueue(symbol, bars, broker),
      // A failed flush fails its writes, and each write's failure reaches its symbol.
      flushWrites: writer === undefined ? undefined : () => void writer.flush().catch(() => undefined),
      today,
      lastSession,
      options: {
        force: options.force,
        full: options.full,
        overlapBars: config.overlapBars,
        fullCount: config.barCount,
        symbolsInFlight: config.concurrency * SYMBOLS_PER_REQUEST_SLOT,
        barsInFlight: BARS_IN_FLIGHT,
      },
      onResult: (result) => {
        const outcome = toOutcome(result);
        accumulator.add(outcome);
        metrics?.observeSymbol(outcome);
        progress.update(accumulator.progress());
      },
      shouldStop: () => signal.aborted || lock?.lost.aborted === true,
      cancel: grace.cancel,
      // Nothing in flight can succeed after a fatal error; symbols sleeping in backoff wake now.
      onFatal: (error) => grace.cancelNow(error),
    });
  } finally {
    grace.dispose();
    await writer?.close();
    if (heartbeat !== undefined) clearInterval(heartbeat);
    progress.stop();
    await runtime.close();
  }

  const interrupted = signal.aborted;
  const fatal = end.fatal ?? (lock?.lost.aborted ? (lock.lost.reason as CrawlerError) : undefined);
  const summary = accumulator.build({
    runId,
    startedAtMs,
    finishedAtMs: clock.now(),
    total: symbols.length,
    brokers: runtime.scheduler?.stats() ?? {},
    interrupted,
    dryRun: options.dryRun,
    fatal: fatal === undefined ? undefined : { code: fatal.code, message: fatal.message },
  });
  const status = runStatus(summary, fatal, interrupted);
  // After a fatal error or the grace period, grace.cancel has aborted: one try, no waiting.
  await finishRun(runs === undefined ? undefined : (...args) => retrying(() => runs.finish(...args)), runId, status, summary, logger);
  if (metrics !== undefined) {
    metrics.recordRun(runRecordFromSummary(summary));
    await publishRunMetrics(metrics, config, logger);
  }
  logger.info({ runId, status, message: summary.message }, 'update finished');
  return { document: summary, exitCode: exitCode(summary, fatal, signal) };
}

/** Records the counts so far every few seconds: the backend's page and `health` read them. */
function startHeartbeat(
  runs: RunsRepository,
  runId: string,
  total: number,
  accumulator: SummaryAccumulator,
  logger: Logger,
): NodeJS.Timeout {
  let beating = false;
  const beat = async (): Promise<void> => {
    // While the database is away a beat can hang until its connect timeout: never stack them.
    if (beating) return;
    beating = true;
    const counts = accumulator.counts();
    const processed = counts.succeeded + counts.failed + counts.noData + counts.skipped;
    const done = { processed, total, succeeded: counts.succeeded + counts.skipped, failed: counts.failed };
    // A missed beat only costs freshness; the next one is the retry.
    await runs
      .progress(runId, done)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not record progress'))
      .finally(() => (beating = false));
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  return timer;
}

/**
 * After a stop signal, symbols in flight get `graceMs` to finish; then `cancel` aborts and
 * their requests are cancelled. `cancelNow` skips the wait (after a fatal error).
 */
function graceAfter(signal: AbortSignal, graceMs: number): { cancel: AbortSignal; cancelNow(reason: unknown): void; dispose(): void } {
  const controller = new AbortController();
  // Every request in flight listens to it: hundreds of listeners are expected.
  setMaxListeners(0, controller.signal);
  const startGrace = (): void => void setTimeout(() => controller.abort(signal.reason), graceMs).unref();
  signal.addEventListener('abort', startGrace, { once: true });
  return {
    cancel: controller.signal,
    cancelNow: (reason) => controller.abort(reason),
    dispose: () => signal.removeEventListener('abort', startGrace),
  };
}

/** Maps one symbol's result onto the summary's outcome kinds. */
export function toOutcome(result: BatchSymbolResult): SymbolOutcome {
  if (result.status === 'skipped') return { status: 'skipped' };
  if (result.status === 'failed') {
    const { symbol, code, message, attempts, faults } = result;
    return { status: 'failed', stock_code: symbol, code, message, attempts, faults };
  }
  const rows = { ...(result.counts ?? {}), rejected: result.validation.rejected };
  const { faults } = result;
  if (result.validation.input === 0) return { status: 'no_data', rows, faults };
  return { status: result.revised ? 'revised' : 'stored', rows, faults };
}

function runStatus(summary: BatchSummary, fatal: CrawlerError | undefined, interrupted: boolean): Exclude<RunStatus, 'running'> {
  if (fatal !== undefined) return 'failed';
  if (interrupted) return 'interrupted';
  return summary.result.failed > 0 ? 'partial' : 'succeeded';
}

function exitCode(summary: BatchSummary, fatal: CrawlerError | undefined, signal: AbortSignal): number {
  if (fatal !== undefined) return exitCodeFor(fatal);
  if (signal.aborted) return exitCodeForSignal(signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  return summary.result.failed > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}

async function finishRun(finish: RunsRepository['finish'] | undefined, runId: string, status: Exclude<RunStatus, 'running'>, summary: BatchSummary, logger: Logger): Promise<void> {
  try {
    await finish?.(runId, status, summary);
  } catch (error) {
    // The database may be what failed; the summary on stdout still tells the story.
    logger.error({ err: error, runId }, 'could not record the end of the run');
  }
}

/** The first retry of an outage is worth a warning; the rest only say it goes on. */
function logRetry(logger: Logger): (event: RetryEvent) => void {
  return ({ retry, delayMs, elapsedMs, error }) => {
    const fields = { err: error, retry, delayMs, elapsedMs };
    if (retry === 1) logger.warn(fields, 'database unavailable: retrying');
    else logger.debug(fields, 'database still unavailable: retrying');
  };
}
