import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { CrawlerError } from '../../errors.js';
import type { DailyBar } from '../../core/daily-bar.js';
import type { DailyBarsRepository, UpsertCounts } from './daily-bars-repository.js';
import type { Database } from '../schema/tables.js';
import { retryTransient, type RetryEvent } from '../connection/transient-retry.js';
import { packBars, type PackedBars } from './packed-bars.js';
import { checkBars, dedupeBars } from './upsert-parameters.js';
import { fatalWriteError, symbolWriteError } from './write-errors.js';

export interface BarWriterOptions {
  /** Where the statements run: the repository's database (or the same one with a plugin). */
  db: Kysely<Database>;
  repository: DailyBarsRepository;
  /** Rows per statement, at most (one symbol larger than this goes alone). Default 20,000. */
  maxRows?: number;
  /** Symbols per statement, at most. Default 100. */
  maxSymbols?: number;
  /** How long a write may wait for others to share its statement. Default 250 ms. */
  maxDelayMs?: number;
  /** Rows accepted and not yet committed, at most: further writes wait. Default 60,000. */
  maxPendingRows?: number;
  /** Called after every flush, for logs and metrics. */
  onFlush?: (flush: FlushReport) => void;
  /**
   * How long a statement is retried while the database is unreachable (a transient error,
   * see isTransientDatabaseError), from its first failure, in ms. Default 0: the first
   * such error fails every pending write with DatabaseUnavailableError.
   */
  retryMs?: number;
  /** Cuts the retries short (the run is stopping): pending writes then fail at once. */
  signal?: AbortSignal | undefined;
  /** Called before each retry, for logs. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** The retries' time and waits; the system's by default. */
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What one flush did; `oneByOne`: the shared statement failed and each symbol was retried alone. */
export interface FlushReport {
  symbols: number;
  rows: number;
  ms: number;
  oneByOne: boolean;
  /** Symbols whose write failed. */
  failed: number;
}

/** Batches symbols' bars into shared statements; see createBarWriter. */
export interface BarWriter {
  /**
   * Writes one symbol's bars (all-or-nothing) and resolves with its counts once committed.
   * Waits first while maxPendingRows are pending, and while the database is unreachable.
   * @throws CrawlerError E_DB_WRITE when this symbol's rows were refused (the others of
   * its statement are committed); DatabaseUnavailableError or SchemaError when no write
   * can succeed (every pending write fails with it); E_INTERNAL for bars that are not
   * this symbol's or hold non-finite values, and after close().
   */
  write(symbol: string, bars: readonly DailyBar[], source: string): Promise<UpsertCounts>;
  /**
   * The same in two steps: resolves once the bars are accepted (the backpressure wait),
   * with the promise of their commit. A pipeline awaits this before taking more work,
   * and `committed` afterwards, so that symbols waiting for their commit fill the
   * next statement instead of holding fetch slots.
   */
  enqueue(symbol: string, bars: readonly DailyBar[], source: string): Promise<{ committed: Promise<UpsertCounts> }>;
  /** Writes everything accepted so far now; resolves when it has settled (rejects once the writer failed). */
  flush(): Promise<void>;
  /** Flushes, then refuses further writes. Never rejects: failures reach each write. */
  close(): Promise<void>;
  /** Rows accepted and not yet settled; writes waiting for room. */
  readonly pendingRows: number;
  readonly waiting: number;
}

interface Entry {
  /** The symbol's bars as columns: a write may wait seconds, and objects per bar would outlive the young heap. */
  group: PackedBars;
  rows: number;
  committed: Promise<UpsertCounts>;
  /** performance.now() when it was queued. */
  queuedAt: number;
  resolve(counts: UpsertCounts): void;
  reject(error: unknown): void;
}

type Waiter = { entry: Entry; admit(): void; refuse(error: unknown): void };

const NOTHING: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };

/**
 * A writer that groups symbols into ONE upsert statement per flush (up to maxSymbols
 * symbols or maxRows rows, or whatever maxDelayMs gathered). One statement is one
 * transaction: several symbols commit together, and a symbol is never half-written.
 * When the shared statement fails, each symbol is retried in a statement of its own, so
 * a bad symbol fails alone and the others commit. Flushes run one at a time; writes
 * arriving meanwhile gather for the next, so statements grow with the database's
 * latency. Memory stays flat: at most maxPendingRows rows wait, whatever the batch size.
 * When the database goes away, the statement is retried for up to retryMs while no new
 * write is admitted; past that, every pending and waiting write fails with
 * DatabaseUnavailableError, and each symbol is either committed whole or not at all.
 */
export function createBarWriter(options: BarWriterOptions): BarWriter {
  const maxRows = options.maxRows ?? 20_000;
  const maxSymbols = options.maxSymbols ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 250;
  const maxPendingRows = options.maxPendingRows ?? 60_000;
  const retryMs = options.retryMs ?? 0;
  const repository = options.repository.withExecutor(options.db);

  let queue: Entry[] = [];
  let queuedRows = 0;
  let pendingRows = 0;
  const waiters: Waiter[] = [];
  const idleWaiters: Array<() => void> = [];
  let running = false;
  let urgent = 0;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  let fatal: CrawlerError | undefined;
  // A statement is being retried: nothing new is admitted, so the pipeline stops taking
  // symbols (and fetching them) instead of filling memory with bars that cannot be stored.
  let outage = false;

  const full = (): boolean => queuedRows >= maxRows || queue.length >= maxSymbols;
  /** How long until the oldest queued write has waited maxDelayMs (≤ 0: it has). */
  const untilDue = (): number => (queue[0]?.queuedAt ?? Number.POSITIVE_INFINITY) + maxDelayMs - performance.now();
  const flushNow = (): boolean => urgent > 0 || closing || waiters.length > 0 || full() || untilDue() <= 0;
  const idle = (): boolean => queue.length === 0 && !running && waiters.length === 0;

  function schedule(): void {
    if (running || fatal !== undefined) return;
    if (queue.length === 0) {
      clearTimer();
      return;
    }
    if (flushNow()) {
      clearTimer();
      running = true;
      void run();
    } else {
      timer ??= setTimeout(() => {
        timer = undefined;
        schedule();
      }, Math.max(1, Math.ceil(untilDue())));
    }
  }

  function clearTimer(): void {
    clearTimeout(timer);
    timer = undefined;
  }

  async function run(): Promise<void> {
    try {
      while (fatal === undefined && queue.length > 0 && flushNow()) await commit(take());
    } finally {
      running = false;
      schedule();
      if (idle()) for (const wake of idleWaiters.splice(0)) wake();
    }
  }

  /** The next statement's symbols, in arrival order; a symbol queued twice waits for the next one. */
  function take(): Entry[] {
    const batch: Entry[] = [];
    const kept: Entry[] = [];
    const symbols = new Set<string>();
    let rows = 0;
    for (const entry of queue) {
      const fits = batch.length === 0 || (batch.length < maxSymbols && rows + entry.rows <= maxRows);
      if (fits && !symbols.has(entry.group.symbol)) {
        batch.push(entry);
        symbols.add(entry.group.symbol);
        rows += entry.rows;
      } else {
        kept.push(entry);
      }
    }
    queue = kept;
    queuedRows -= rows;
    return batch;
  }

  async function commit(batch: Entry[]): Promise<void> {
    const started = performance.now();
    const rows = batch.reduce((sum, entry) => sum + entry.rows, 0);
    let oneByOne = false;
    let failed = 0;
    try {
      const counts = await durably(() => repository.upsertPacked(batch.map((entry) => entry.group)));
      for (const entry of batch) settle(entry, counts.get(entry.group.symbol) ?? NOTHING);
    } catch (error) {
      const stop = fatalWriteError(error);
      if (stop !== undefined) return fail(stop, batch);
      // Each symbol in a statement of its own: a bad one fails alone, the others commit.
      oneByOne = batch.length > 1;
      for (const [index, entry] of batch.entries()) {
        try {
          if (!oneByOne) throw error;
          const counts = await durably(() => repository.upsertPacked([entry.group]));
          settle(entry, counts.get(entry.group.symbol) ?? NOTHING);
        } catch (single) {
          const stopNow = fatalWriteError(single);
          if (stopNow !== undefined) return fail(stopNow, batch.slice(index));
          failed += 1;
          settle(entry, undefined, symbolWriteError(single));
        }
      }
    }
    try {
      options.onFlush?.({ symbols: batch.length, rows, ms: Math.round(performance.now() - started), oneByOne, failed });
    } catch {
      // A reporting hook must not stop the writer.
    }
  }

  /**
   * Runs one statement, again while the database is away (up to retryMs). Repeating it is
   * safe: a statement is one transaction, so a failed one left nothing, and an upsert
   * whose commit succeeded but whose reply was lost only finds its rows unchanged.
   */
  async function durably<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await retryTransient(statement, { budgetMs: retryMs }, {
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        signal: options.signal,
        onRetry: (event) => {
          outage = true;
          try {
            options.onRetry?.(event);
          } catch {
            // A reporting hook must not stop the writer.
          }
        },
      });
    } finally {
      outage = false;
    }
  }

  function settle(entry: Entry, counts: UpsertCounts | undefined, error?: unknown): void {
    if (error === undefined) entry.resolve(counts ?? NOTHING);
    else entry.reject(error);
    pendingRows -= entry.rows;
    admitWaiting();
  }

  /** Admits waiting writes in arrival order while they fit; queues each as it is admitted. */
  function admitWaiting(): void {
    while (waiters.length > 0 && fatal === undefined && !outage) {
      const next = waiters[0] as Waiter;
      if (pendingRows > 0 && pendingRows + next.entry.rows > maxPendingRows) return;
      waiters.shift();
      accept(next.entry);
      next.admit();
    }
  }

  function accept(entry: Entry): void {
    entry.queuedAt = performance.now();
    pendingRows += entry.rows;
    queuedRows += entry.rows;
    queue.push(entry);
    schedule();
  }

  /** No further write can succeed: every pending and waiting write fails with `error`. */
  function fail(error: CrawlerError, inFlight: Entry[]): void {
    fatal = error;
    clearTimer();
    for (const entry of [...inFlight, ...queue]) settle(entry, undefined, error);
    queue = [];
    queuedRows = 0;
    for (const waiter of waiters.splice(0)) {
      waiter.entry.reject(error);
      waiter.refuse(error);
    }
  }

  async function enqueue(symbol: string, bars: readonly DailyBar[], source: string) {
    if (fatal !== undefined) throw fatal;
    if (closing) throw new CrawlerError('E_INTERNAL', `write of ${symbol} after the bar writer was closed`);
    checkBars(bars, symbol);
    const unique = dedupeBars(bars);
    if (unique.length === 0) return { committed: Promise.resolve({ ...NOTHING }) };
    const entry = newEntry(packBars({ symbol, bars: unique, source }));
    if (!outage && waiters.length === 0 && (pendingRows === 0 || pendingRows + entry.rows <= maxPendingRows)) {
      accept(entry);
    } else {
      await new Promise<void>((admit, refuse) => {
        waiters.push({ entry, admit, refuse });
        schedule(); // someone is waiting: flush now rather than when the timer fires
      });
    }
    return { committed: entry.committed };
  }

  function settled(): Promise<void> {
    if (idle() || fatal !== undefined) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    enqueue,
    async write(symbol, bars, source) {
      const { committed } = await enqueue(symbol, bars, source);
      return committed;
    },
    async flush() {
      urgent += 1;
      try {
        schedule();
        await settled();
      } finally {
        urgent -= 1;
      }
      if (fatal !== undefined) throw fatal;
    },
    async close() {
      closing = true;
      schedule();
      await settled();
      clearTimer();
    },
    get pendingRows() {
      return pendingRows;
    },
    get waiting() {
      return waiters.length;
    },
  };
}

function newEntry(group: PackedBars): Entry {
  let resolve!: (counts: UpsertCounts) => void;
  let reject!: (error: unknown) => void;
  const committed = new Promise<UpsertCounts>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The caller attaches its handler only after `enqueue` resumes; a fatal error may come first.
  committed.catch(() => undefined);
  return { group, rows: group.count, committed, queuedAt: 0, resolve, reject };
}
