import type { Kysely } from 'kysely';
import { createStocksRepository } from '../db/stocks/stocks-repository.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import { checkStoredSymbols } from './select-symbols.js';
import { inShard, type Shard } from './shard.js';

/** Which symbols a run covers: the list given, or every active row of `stocks`. */
export interface UniverseRequest {
  /** Symbols given on the command line or in a file (already checked); undefined: the stocks table. */
  explicit: readonly string[] | undefined;
  shard: Shard | undefined;
  /** Nothing is written, not even a row of `stocks`. */
  dryRun: boolean;
}

/**
 * The run's symbols, this shard's part. A list given explicitly is added to `stocks` where
 * the crawler owns that table; the table's own codes are checked like any other input,
 * and a bad one is set aside (and reported) rather than failing the night.
 * @throws UsageError when the table holds no active symbol.
 */
export async function selectUniverse(db: Kysely<any>, request: UniverseRequest, logger: Pick<Logger, 'info' | 'warn'>): Promise<string[]> {
  const stocks = await createStocksRepository(db);
  let all = request.explicit === undefined ? undefined : [...request.explicit];
  if (all === undefined) {
    const { valid, invalid } = checkStoredSymbols(await stocks.activeSymbols());
    if (invalid.length > 0) logger.warn({ invalid: invalid.slice(0, 20), count: invalid.length }, 'stocks rows with invalid codes skipped');
    all = valid;
    if (all.length === 0) throw new UsageError('the stocks table has no active symbols: run `stock-crawler sync`, or give --symbols or --symbols-file');
  } else if (!request.dryRun) {
    const { added } = await stocks.ensureSymbols(all);
    if (added.length > 0) logger.info({ added: added.length }, 'symbols added to stocks');
  }
  const { shard } = request;
  return shard === undefined ? all : all.filter((symbol) => inShard(symbol, shard));
}
