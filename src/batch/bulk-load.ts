import type { DatabaseHandle } from '../db/connection/open-database.js';
import { dropTradeDateIndex, restoreTradeDateIndex, storedRowsEstimate } from '../db/schema/trade-date-index.js';
import type { Logger } from '../logger.js';

/** The most bars a mirror's full history carries: what a symbol with nothing stored brings. */
const HISTORY_BARS = 1_440;

/** Below this many new rows the index is cheap to keep up (a few hundred histories). */
const MIN_BULK_ROWS = 200_000;

/**
 * Keeping the trade_date index up costs about five seconds a million new rows in the
 * embedded database; building it costs about one a million rows held. Deferring pays once
 * the new rows pass about a fifth of what is stored; a quarter leaves a margin.
 */
const MIN_SHARE_OF_STORED = 0.25;

/** What decides whether a run loads in bulk. */
export interface BulkLoadInput {
  /** The embedded database: one process has it, so no reader meets the table without its index. */
  embedded: boolean;
  /** Symbols of the run with nothing stored: each brings its whole history by COPY. */
  freshSymbols: number;
  /** About how many rows the table holds. */
  storedRows: number;
}

/** Whether the run drops the trade_date index and builds it once at its end. */
export function shouldDeferIndex(input: BulkLoadInput): boolean {
  if (!input.embedded) return false;
  const newRows = input.freshSymbols * HISTORY_BARS;
  return newRows >= MIN_BULK_ROWS && newRows >= input.storedRows * MIN_SHARE_OF_STORED;
}

/**
 * Prepares a run that writes for a bulk load, when it is one (see `shouldDeferIndex`): moves
 * the embedded database to a thread of its own (db/connection/pglite-thread.ts), drops the
 * trade_date index (db/schema/trade-date-index.ts), and returns what builds it again once
 * the writes are done; undefined when the run is not a bulk load. A build that fails is
 * logged, not fatal: the bars are stored, and the next open of the data directory builds it.
 */
export async function prepareBulkLoad(
  handle: Pick<DatabaseHandle, 'db' | 'kind' | 'moveToOwnThread'>,
  freshSymbols: number,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<(() => Promise<void>) | undefined> {
  const { db } = handle;
  if (handle.kind !== 'pglite') return undefined;
  const storedRows = await storedRowsEstimate(db);
  if (!shouldDeferIndex({ embedded: true, freshSymbols, storedRows })) return undefined;
  const thread = await handle.moveToOwnThread?.();
  if (thread?.moved === false) logger.warn({ err: thread.error }, 'the embedded database stays on the main thread');
  await dropTradeDateIndex(db);
  logger.info({ freshSymbols, storedRows, ownThread: thread?.moved === true }, 'bulk load: the trade_date index is built once the bars are in');
  return async () => {
    const started = performance.now();
    try {
      await restoreTradeDateIndex(db);
      logger.info({ ms: Math.round(performance.now() - started) }, 'trade_date index built');
    } catch (error) {
      logger.warn({ err: error }, 'trade_date index not built: the next open of the data directory builds it');
    }
  };
}
