import type { DatabaseHandle } from '../db/connection/open-database.js';
import { dropDeferredIndexes, restoreDeferredIndexes, storedRowsEstimate, type DeferrableIndex } from '../db/schema/deferred-indexes.js';
import type { Logger } from '../logger.js';

/** The most bars a mirror's full history carries: what a symbol with nothing stored brings. */
const HISTORY_BARS = 1_440;

/** Below this many new rows the indexes are cheap to keep up (a few hundred histories). */
const MIN_BULK_ROWS = 200_000;

/**
 * Seconds per million rows in the embedded database, measured: keeping each index up while
 * rows go in (`keep`, per new row), and building it once (`build`, per row held after the
 * load). An index is deferred when keeping it up would cost more than building it: the
 * trade_date index once the new rows reach a quarter of what is stored, the primary key
 * (cheap to keep: its entries go to the right-hand end) only past about three quarters.
 */
const INDEX_COSTS: Record<DeferrableIndex, { keep: number; build: number }> = {
  trade_date: { keep: 5, build: 1 },
  primary_key: { keep: 1.5, build: 0.65 },
};

/** What decides whether a run loads in bulk. */
export interface BulkLoadInput {
  /** The embedded database: one process has it, so no reader meets the table without its indexes. */
  embedded: boolean;
  /** Symbols of the run with nothing stored: each brings its whole history by COPY. */
  freshSymbols: number;
  /** About how many rows the table holds. */
  storedRows: number;
}

/** The indexes no write needs that the run drops and builds once at its end; none: not a bulk load. */
export function indexesToDefer(input: BulkLoadInput): DeferrableIndex[] {
  const newRows = input.freshSymbols * HISTORY_BARS;
  if (!input.embedded || newRows < MIN_BULK_ROWS) return [];
  const heldAfter = input.storedRows + newRows;
  return (Object.keys(INDEX_COSTS) as DeferrableIndex[]).filter((index) => newRows * INDEX_COSTS[index].keep >= heldAfter * INDEX_COSTS[index].build);
}

/**
 * Prepares a run that writes for a bulk load, when it is one (see `indexesToDefer`): moves
 * the embedded database to a thread of its own (db/connection/pglite-thread.ts), drops the
 * indexes it defers (db/schema/deferred-indexes.ts), and returns what builds them again
 * once the writes are done; undefined when the run is not a bulk load. A build that fails
 * is logged, not fatal: the bars are stored, and the next open of the data directory
 * builds what is missing.
 */
export async function prepareBulkLoad(
  handle: Pick<DatabaseHandle, 'db' | 'kind' | 'moveToOwnThread'>,
  freshSymbols: number,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<(() => Promise<void>) | undefined> {
  const { db } = handle;
  if (handle.kind !== 'pglite') return undefined;
  const storedRows = await storedRowsEstimate(db);
  const deferred = indexesToDefer({ embedded: true, freshSymbols, storedRows });
  if (deferred.length === 0) return undefined;
  const thread = await handle.moveToOwnThread?.();
  if (thread?.moved === false) logger.warn({ err: thread.error }, 'the embedded database stays on the main thread');
  await dropDeferredIndexes(db, deferred);
  logger.info({ freshSymbols, storedRows, deferred, ownThread: thread?.moved === true }, 'bulk load: indexes are built once the bars are in');
  return async () => {
    const started = performance.now();
    try {
      const built = await restoreDeferredIndexes(db);
      logger.info({ built, ms: Math.round(performance.now() - started) }, 'indexes built');
    } catch (error) {
      logger.warn({ err: error }, 'indexes not built: the next open of the data directory builds them');
    }
  };
}
