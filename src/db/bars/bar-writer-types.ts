/* The bar writer's contract (its options, what a flush reports, its interface), apart from bar-writer.ts so that callers and tests name it without the implementation. */
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { DailyBar } from '../../core/daily-bar.js';
import type { DailyBarsRepository, UpsertCounts } from './daily-bars-repository.js';
import type { Database } from '../schema/tables.js';
import type { RetryEvent } from '../connection/transient-retry.js';

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
