import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { preloadTimeZone, systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { acquireRunLock, type RunLock } from '../db/locks/run-lock.js';
import { openStore, type Store } from '../db/open-store.js';
import { createRunsRepository, type RunsRepository } from '../db/runs/runs-repository.js';
import { exitCodeForSignal, LockHeldError, type CrawlerError } from '../errors.js';
import type { Logger } from '../logger.js';
import { publishRunMetrics, startRunMetrics } from '../metrics/publish.js';
import { runRecordFromSummary } from './summary-run-record.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import { crawlSymbols } from './crawl-symbols.js';
import { retrying } from './database-retry.js';
import { runExitCode, runStatus } from './run-ending.js';
import { startHeartbeat } from './run-heartbeat.js';
import { parseShard } from '../config/shard-spec.js';
import { inShard, type Shard } from './shard.js';
import { graceAfter } from './shutdown-grace.js';
import { createSummaryAccumulator, type SummaryAccumulator } from './summary.js';
import type { BatchSummary } from '../documents/batch-summary.js';
import { toOutcome } from './symbol-outcome.js';
import { buildLegacyBatchKeys, type LegacyBatchInput } from '../documents/legacy-batch-result.js';
import { createLegacyLedger, type LegacyLedger } from './legacy-stock.js';
import { selectUniverse } from './symbol-universe.js';
import { refreshReference, type ReferenceStep } from './reference-sync.js';

/** What an `update` is asked to do. */
export interface UpdateRequest {
  /** Symbols given (already checked); undefined: every active row of `stocks`. */
  symbols: readonly string[] | undefined;
  force: boolean;
  full: boolean;
  dryRun: boolean;
  /** Also list every symbol in the old service's shape (`detailed_results`): one entry per symbol. */
  detailed: boolean;
  /** Never sync the universe first (`--no-sync`); a list given never syncs either. */
  noSync: boolean;
}

/** Counts a progress display is fed after every symbol. */
export interface ProgressSink {
  update(counts: { done: number; failed: number; skipped: number }): void;
  stop(): void;
}

/** What an `update` runs with: its settings and the shell's streams, signal and clock. */
export interface UpdateEnvironment {
  config: Config;
  logger: Logger;
  /** A progress display for a run of `total` symbols (a bar on a terminal, log lines otherwise). */
  progress: (total: number) => ProgressSink;
  /** Aborted by SIGINT/SIGTERM: no new symbols start; the run winds down and says so. */
  signal: AbortSignal;
  /** Decides "today" and the last closed session; the system clock by default. */
  clock?: Clock;
}

/** The summary to print, the old service's view of the same run, and the exit code it means. */
export interface UpdateEnd {
  summary: BatchSummary;
  /** What the old batch result is built from (`--shape legacy`). */
  legacy: LegacyBatchInput;
  exitCode: number;
}

/**
 * `update`: the nightly batch over every active symbol (or a list, or a shard of either).
 * Holds the run lock of its job and shard, records the run in crawl_runs (with a heartbeat),
 * crawls through the shared pipeline, publishes metrics, and returns the summary.
 */
export async function runUpdate(request: UpdateRequest, env: UpdateEnvironment): Promise<UpdateEnd> {
  const { config, logger } = env;
  const shard = config.shard === undefined ? undefined : parseShard(config.shard);
  const { store, lock } = await openStoreAndLock(shard, request.dryRun, env);
  try {
    if (lock.status === 'rejected') {
      if (lock.reason instanceof LockHeldError && env.signal.aborted) return stoppedWaiting(lock.reason, request, shard, env);
      throw lock.reason;
    }
    try {
      const reference = await referenceStep(store, shard, request, env);
      const symbols = await selectUniverse(store.handle.db, { explicit: request.symbols, shard, dryRun: request.dryRun }, logger);
      return await crawlUniverse(symbols, shard, store, request, env, lock.value, reference);
    } finally {
      await lock.value?.release();
    }
  } finally {
    await store.close();
  }
}

/**
 * Opens the store (two connections: the stored tails and the holidays are read at once) and
 * takes the run lock together, each a server process start, while the time zone's data
 * loads. A store that cannot be opened stops the wait for the lock.
 */
async function openStoreAndLock(shard: Shard | undefined, dryRun: boolean, env: UpdateEnvironment): Promise<{ store: Store; lock: PromiseSettledResult<RunLock | undefined> }> {
  const storeFailed = new AbortController();
  const opening = openStore(env.config, env.logger, { openConnections: 2 });
  opening.catch((error: unknown) => storeFailed.abort(error));
  const locking = takeRunLock(shard, dryRun, env, AbortSignal.any([env.signal, storeFailed.signal]));
  preloadTimeZone(env.config.timeZone);
  const [opened, lock] = await Promise.allSettled([opening, locking]);
  if (opened.status === 'fulfilled') return { store: opened.value, lock };
  if (lock.status === 'fulfilled') await lock.value?.release();
  throw opened.reason;
}

/**
 * The whole universe is crawled from `stocks`: sync it first when it is empty or old. A
 * list given, `--no-sync`, a dry run (which writes nothing) and a shard crawl what is
 * stored: shards start together, and every one of them syncing the same pages would be
 * redundant work racing on the same rows (a `sync` job before them keeps it fresh).
 */
async function referenceStep(store: Store, shard: Shard | undefined, request: UpdateRequest, env: UpdateEnvironment): Promise<ReferenceStep | null> {
  if (request.symbols !== undefined || request.noSync || request.dryRun || shard !== undefined) return null;
  return refreshReference(store.handle.db, { config: env.config, logger: env.logger, clock: env.clock ?? systemClock, signal: env.signal });
}

/** One update per shard at a time; a dry run writes nothing, so it neither takes nor waits for the lock. */
async function takeRunLock(shard: Shard | undefined, dryRun: boolean, env: UpdateEnvironment, signal: AbortSignal): Promise<RunLock | undefined> {
  if (dryRun) return undefined;
  const { config } = env;
  // The embedded database is one process's: its data directory's lock is the run's.
  return acquireRunLock(
    config.databaseUrl ? config.databaseUrl : undefined,
    { job: 'update', shard: shardText(shard) },
    { waitMs: config.waitLockMs, signal, logger: env.logger, reacquireMs: config.dbRetryMs },
  );
}

/**
 * A stop signal while waiting for another run's lock: nothing started, nothing is recorded
 * (crawl_runs is the holder's to write while it runs), and the summary says interrupted.
 */
function stoppedWaiting(error: LockHeldError, request: UpdateRequest, shard: Shard | undefined, env: UpdateEnvironment): UpdateEnd {
  const now = (env.clock ?? systemClock).now();
  const symbols = request.symbols === undefined || shard === undefined ? request.symbols : request.symbols.filter((symbol) => inShard(symbol, shard));
  const runId = randomUUID();
  const legacy = createLegacyLedger().input({ taskId: runId, totalStocks: symbols?.length ?? 0, executionTimeSeconds: 0, timeZone: env.config.timeZone });
  const built = createSummaryAccumulator().build({
    runId,
    startedAtMs: now,
    finishedAtMs: now,
    total: symbols?.length ?? 0,
    brokers: {},
    interrupted: true,
    dryRun: request.dryRun,
    legacy: buildLegacyBatchKeys(legacy, { detailed: request.detailed }),
  });
  env.logger.warn({ err: error }, 'stopped waiting for the run lock');
  const summary: BatchSummary = { ...built, message: `interrupted while waiting for the run lock: ${error.message}` };
  return { summary, legacy, exitCode: exitCodeForSignal(env.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM') };
}

async function crawlUniverse(
  symbols: string[],
  shard: Shard | undefined,
  store: Store,
  request: UpdateRequest,
  env: UpdateEnvironment,
  lock: RunLock | undefined,
  reference: ReferenceStep | null,
): Promise<UpdateEnd> {
  const { config, logger, signal } = env;
  const clock = env.clock ?? systemClock;
  const { runId, startedAtMs, runs, taskLogId } = await beginRun(symbols, shard, store, request, env, clock);

  const metrics = await startRunMetrics(config, { command: 'update', shard: shardText(shard) ?? undefined });
  const accumulator = createSummaryAccumulator();
  const ledger = createLegacyLedger();
  const progress = env.progress(symbols.length);
  const heartbeat = runs === undefined ? undefined : startHeartbeat(runs, runId, symbols.length, accumulator, logger);
  const grace = graceAfter(signal, config.shutdownGraceMs);
  // Another run took the lock, or it could not be taken again: stop as after any fatal error.
  lock?.lost.addEventListener('abort', () => grace.cancelNow(lock.lost.reason), { once: true });
  let end: Awaited<ReturnType<typeof crawlSymbols>>;
  try {
    end = await crawlSymbols({ ...request, symbols }, {
      config,
      logger,
      store,
      pooled: true,
      metrics,
      clock,
      grace,
      shouldStop: () => signal.aborted || lock?.lost.aborted === true,
      onResult: (result) => {
        const outcome = toOutcome(result);
        accumulator.add(outcome);
        ledger.add(result, clock.now());
        metrics?.observeSymbol(outcome);
        progress.update(accumulator.progress());
      },
    });
  } finally {
    grace.dispose();
    if (heartbeat !== undefined) clearInterval(heartbeat);
    progress.stop();
  }

  const fatal = end.fatal ?? (lock?.lost.aborted ? (lock.lost.reason as CrawlerError) : undefined);
  const ended = summarise({ runId, startedAtMs, taskLogId, total: symbols.length, end, fatal, request, env, clock, ledger, accumulator, reference });
  await recordEnd({ runs, runId, summary: ended.summary, fatal, interrupted: signal.aborted, metrics, env, cancel: grace.cancel });
  return { ...ended, exitCode: runExitCode(ended.summary, fatal, signal) };
}

/** The run's summary, with the old service's keys, once every symbol has ended. */
function summarise(run: {
  runId: string;
  startedAtMs: number;
  taskLogId: number | undefined;
  total: number;
  end: Awaited<ReturnType<typeof crawlSymbols>>;
  fatal: CrawlerError | undefined;
  request: UpdateRequest;
  env: UpdateEnvironment;
  clock: Clock;
  ledger: LegacyLedger;
  accumulator: SummaryAccumulator;
  reference: ReferenceStep | null;
}): Omit<UpdateEnd, 'exitCode'> {
  const finishedAtMs = run.clock.now();
  // The old service's task id was its task_execution_logs row: that row when there is one.
  const legacy = run.ledger.input({
    taskId: run.taskLogId ?? run.runId,
    totalStocks: run.total,
    executionTimeSeconds: (finishedAtMs - run.startedAtMs) / 1000,
    timeZone: run.env.config.timeZone,
  });
  const { fatal } = run;
  const summary = run.accumulator.build({
    runId: run.runId,
    startedAtMs: run.startedAtMs,
    finishedAtMs,
    total: run.total,
    brokers: run.end.brokers,
    interrupted: run.env.signal.aborted,
    dryRun: run.request.dryRun,
    fatal: fatal === undefined ? undefined : { code: fatal.code, message: fatal.message },
    legacy: buildLegacyBatchKeys(legacy, { detailed: run.request.detailed }),
    reference: run.reference,
  });
  return { summary, legacy };
}

/** Records the run's start in crawl_runs (not in a dry run, which writes nothing). */
async function beginRun(symbols: readonly string[], shard: Shard | undefined, store: Store, request: UpdateRequest, env: UpdateEnvironment, clock: Clock) {
  const runId = randomUUID();
  const startedAtMs = clock.now();
  const runs = request.dryRun ? undefined : createRunsRepository(store.handle.db);
  const started = await runs?.start({
    id: runId,
    job: 'update',
    shard: shardText(shard),
    arguments: { ...request, symbols: request.symbols?.length, shard: shardText(shard) },
    pid: process.pid,
    host: hostname(),
    total: symbols.length,
  });
  env.logger.info({ runId, symbols: symbols.length, shard: shardText(shard), dryRun: request.dryRun }, 'update started');
  return { runId, startedAtMs, runs, taskLogId: started?.taskLogId ?? undefined };
}

/** Records the run's end in crawl_runs and publishes its metrics; neither failing fails the run. */
async function recordEnd(ending: {
  runs: RunsRepository | undefined;
  runId: string;
  summary: BatchSummary;
  fatal: CrawlerError | undefined;
  interrupted: boolean;
  metrics: RunMetrics | undefined;
  env: UpdateEnvironment;
  cancel: AbortSignal;
}): Promise<void> {
  const { runs, runId, summary, metrics, env } = ending;
  const { config, logger } = env;
  const status = runStatus(summary, ending.fatal, ending.interrupted);
  try {
    // After a fatal error or the grace period, `cancel` has aborted: one try, no waiting.
    if (runs !== undefined) await retrying(config.dbRetryMs, ending.cancel, logger)(() => runs.finish(runId, status, summary));
  } catch (error) {
    // The database may be what failed; the summary on stdout still tells the story.
    logger.error({ err: error, runId }, 'could not record the end of the run');
  }
  if (metrics !== undefined) {
    metrics.recordRun(runRecordFromSummary(summary));
    await publishRunMetrics(metrics, config, logger);
  }
  logger.info({ runId, status, message: summary.message }, 'update finished');
}

function shardText(shard: Shard | undefined): string | null {
  return shard === undefined ? null : `${shard.index}/${shard.count}`;
}

