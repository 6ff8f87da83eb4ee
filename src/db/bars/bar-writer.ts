import { CrawlerError } from '../../errors.js';
import type { DailyBar } from '../../core/daily-bar.js';
import type { DailyBarsRepository, UpsertCounts } from './daily-bars-repository.js';
import { retryTransient } from '../connection/transient-retry.js';
import type { BarWriter, BarWriterOptions } from './bar-writer-types.js';

export type { BarWriter, BarWriterOptions, FlushReport } from './bar-writer-types.js';
import { packBars } from './packed-bars.js';
import { checkBars, dedupeBars } from './upsert-parameters.js';
import { fatalWriteError, symbolWriteError } from './write-errors.js';
import { newWriteEntry, NO_ROWS, takeStatement, type WriteEntry, type WriteWaiter } from './write-entry.js';

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
  return new GroupingBarWriter(options);
}

class GroupingBarWriter implements BarWriter {
  private readonly maxRows: number;
  private readonly maxSymbols: number;
  private readonly maxDelayMs: number;
  private readonly maxPendingRows: number;
  private readonly repository: DailyBarsRepository;
  private queue: WriteEntry[] = [];
  private queuedRows = 0;
  private pending = 0;
  private readonly waiters: WriteWaiter[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private running = false;
  private urgent = 0;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;
  private fatal: CrawlerError | undefined;
  // A statement is being retried: nothing new is admitted, so the pipeline stops taking
  // symbols (and fetching them) instead of filling memory with bars that cannot be stored.
  private outage = false;

  constructor(private readonly options: BarWriterOptions) {
    this.maxRows = options.maxRows ?? 20_000;
    this.maxSymbols = options.maxSymbols ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 250;
    this.maxPendingRows = options.maxPendingRows ?? 60_000;
    this.repository = options.repository.withExecutor(options.db);
  }

  get pendingRows(): number {
    return this.pending;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  async write(symbol: string, bars: readonly DailyBar[], source: string): Promise<UpsertCounts> {
    const { committed } = await this.enqueue(symbol, bars, source);
    return committed;
  }

  async enqueue(symbol: string, bars: readonly DailyBar[], source: string): Promise<{ committed: Promise<UpsertCounts> }> {
    if (this.fatal !== undefined) throw this.fatal;
    if (this.closing) throw new CrawlerError('E_INTERNAL', `write of ${symbol} after the bar writer was closed`);
    checkBars(bars, symbol);
    const unique = dedupeBars(bars);
    if (unique.length === 0) return { committed: Promise.resolve({ ...NO_ROWS }) };
    const entry = newWriteEntry(packBars({ symbol, bars: unique, source }));
    if (!this.outage && this.waiters.length === 0 && this.fits(entry)) {
      this.accept(entry);
    } else {
      await new Promise<void>((admit, refuse) => {
        this.waiters.push({ entry, admit, refuse });
        this.schedule(); // someone is waiting: flush now rather than when the timer fires
      });
    }
    return { committed: entry.committed };
  }

  async flush(): Promise<void> {
    this.urgent += 1;
    try {
      this.schedule();
      await this.settled();
    } finally {
      this.urgent -= 1;
    }
    if (this.fatal !== undefined) throw this.fatal;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.schedule();
    await this.settled();
    this.clearTimer();
  }

  private fits(entry: WriteEntry): boolean {
    return this.pending === 0 || this.pending + entry.rows <= this.maxPendingRows;
  }

  private full(): boolean {
    return this.queuedRows >= this.maxRows || this.queue.length >= this.maxSymbols;
  }

  /** How long until the oldest queued write has waited maxDelayMs (≤ 0: it has). */
  private untilDue(): number {
    return (this.queue[0]?.queuedAt ?? Number.POSITIVE_INFINITY) + this.maxDelayMs - performance.now();
  }

  private flushNow(): boolean {
    return this.urgent > 0 || this.closing || this.waiters.length > 0 || this.full() || this.untilDue() <= 0;
  }

  private idle(): boolean {
    return this.queue.length === 0 && !this.running && this.waiters.length === 0;
  }

  private schedule(): void {
    if (this.running || this.fatal !== undefined) return;
    if (this.queue.length === 0) {
      this.clearTimer();
      return;
    }
    if (this.flushNow()) {
      this.clearTimer();
      this.running = true;
      void this.run();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, Math.max(1, Math.ceil(this.untilDue())));
    }
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    try {
      while (this.fatal === undefined && this.queue.length > 0 && this.flushNow()) {
        const { batch, kept, rows } = takeStatement(this.queue, this.maxSymbols, this.maxRows);
        this.queue = kept;
        this.queuedRows -= rows;
        await this.commit(batch);
      }
    } finally {
      this.running = false;
      this.schedule();
      if (this.idle()) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** One shared statement; when it fails for its data, each symbol in a statement of its own. */
  private async commit(batch: WriteEntry[]): Promise<void> {
    const started = performance.now();
    const rows = batch.reduce((sum, entry) => sum + entry.rows, 0);
    let oneByOne = false;
    let failed = 0;
    try {
      const counts = await this.durably(() => this.repository.upsertPacked(batch.map((entry) => entry.group)));
      for (const entry of batch) this.settle(entry, counts.get(entry.group.symbol) ?? NO_ROWS);
    } catch (error) {
      const stop = fatalWriteError(error);
      if (stop !== undefined) return this.fail(stop, batch);
      // Each symbol in a statement of its own: a bad one fails alone, the others commit.
      oneByOne = batch.length > 1;
      failed = await this.commitOneByOne(batch, oneByOne ? undefined : error);
      if (failed < 0) return;
    }
    try {
      this.options.onFlush?.({ symbols: batch.length, rows, ms: Math.round(performance.now() - started), oneByOne, failed });
    } catch {
      // A reporting hook must not stop the writer.
    }
  }

  /**
   * Each entry alone (or, given `sharedError`, the one entry of a failed statement fails
   * with it). Returns how many failed, or -1 when a fatal error stopped the writer.
   */
  private async commitOneByOne(batch: WriteEntry[], sharedError: unknown): Promise<number> {
    let failed = 0;
    for (const [index, entry] of batch.entries()) {
      try {
        if (sharedError !== undefined) throw sharedError;
        const counts = await this.durably(() => this.repository.upsertPacked([entry.group]));
        this.settle(entry, counts.get(entry.group.symbol) ?? NO_ROWS);
      } catch (single) {
        const stopNow = fatalWriteError(single);
        if (stopNow !== undefined) {
          this.fail(stopNow, batch.slice(index));
          return -1;
        }
        failed += 1;
        this.settle(entry, undefined, symbolWriteError(single));
      }
    }
    return failed;
  }

  /**
   * Runs one statement, again while the database is away (up to retryMs). Repeating it is
   * safe: a statement is one transaction, so a failed one left nothing, and an upsert
   * whose commit succeeded but whose reply was lost only finds its rows unchanged.
   */
  private async durably<T>(statement: () => Promise<T>): Promise<T> {
    const { options } = this;
    try {
      return await retryTransient(statement, { budgetMs: options.retryMs ?? 0 }, {
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        signal: options.signal,
        onRetry: (event) => {
          this.outage = true;
          try {
            options.onRetry?.(event);
          } catch {
            // A reporting hook must not stop the writer.
          }
        },
      });
    } finally {
      this.outage = false;
    }
  }

  private settle(entry: WriteEntry, counts: UpsertCounts | undefined, error?: unknown): void {
    if (error === undefined) entry.resolve(counts ?? NO_ROWS);
    else entry.reject(error);
    this.pending -= entry.rows;
    this.admitWaiting();
  }

  /** Admits waiting writes in arrival order while they fit; queues each as it is admitted. */
  private admitWaiting(): void {
    while (this.waiters.length > 0 && this.fatal === undefined && !this.outage) {
      const next = this.waiters[0] as WriteWaiter;
      if (!this.fits(next.entry)) return;
      this.waiters.shift();
      this.accept(next.entry);
      next.admit();
    }
  }

  private accept(entry: WriteEntry): void {
    entry.queuedAt = performance.now();
    this.pending += entry.rows;
    this.queuedRows += entry.rows;
    this.queue.push(entry);
    this.schedule();
  }

  /** No further write can succeed: every pending and waiting write fails with `error`. */
  private fail(error: CrawlerError, inFlight: WriteEntry[]): void {
    this.fatal = error;
    this.clearTimer();
    for (const entry of [...inFlight, ...this.queue]) this.settle(entry, undefined, error);
    this.queue = [];
    this.queuedRows = 0;
    for (const waiter of this.waiters.splice(0)) {
      waiter.entry.reject(error);
      waiter.refuse(error);
    }
  }

  private settled(): Promise<void> {
    if (this.idle() || this.fatal !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
