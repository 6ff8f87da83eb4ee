import type { Logger } from '../logger.js';
import { createDailyBarsRepository, type DailyBarsRepository } from './bars/daily-bars-repository.js';
import type { RowVocabularyName } from './bars/row-vocabulary.js';
import { openDatabase, type DatabaseHandle } from './connection/open-database.js';
import { requireCurrentSchema } from './schema/migrate.js';

/** An open database with its schema checked and the bars repository ready. */
export interface Store {
  handle: DatabaseHandle;
  bars: DailyBarsRepository;
  close(): Promise<void>;
}

/** Where the database is: a server URL, or the embedded database's directory. */
export interface StoreLocation {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** The words written rows carry (see row-vocabulary.ts); undefined: decided by who owns the table. */
  rowVocabulary?: RowVocabularyName | undefined;
}

/**
 * Opens the database a command works on. The embedded one migrates itself; a server must
 * already be migrated (`stock-crawler migrate`), otherwise this refuses with a SchemaError.
 */
export async function openStore(location: StoreLocation, logger: Pick<Logger, 'debug'>, options: { openConnections?: number } = {}): Promise<Store> {
  const started = performance.now();
  const handle = await openDatabase({ databaseUrl: location.databaseUrl, dataDir: location.dataDir, openConnections: options.openConnections });
  try {
    if (handle.kind === 'postgres') await requireCurrentSchema(handle.db);
    const bars = await createDailyBarsRepository(handle.db, { bulk: handle.bulk, vocabulary: location.rowVocabulary });
    logger.debug({ database: handle.target, kind: handle.kind, ms: Math.round(performance.now() - started) }, 'database open');
    return { handle, bars, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
