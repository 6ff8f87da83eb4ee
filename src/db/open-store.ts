import { createDailyBarsRepository, type DailyBarsRepository } from '../db/bars/daily-bars-repository.js';
import { requireCurrentSchema } from '../db/schema/migrate.js';
import { openDatabase, type DatabaseHandle } from '../db/connection/open-database.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';

/** An open database with its schema checked and the bars repository ready. */
export interface Store {
  handle: DatabaseHandle;
  bars: DailyBarsRepository;
  close(): Promise<void>;
}

/**
 * Opens the configured database. The embedded one migrates itself; a server must
 * already be migrated (`stock-crawler migrate`), otherwise this refuses with a SchemaError.
 */
export async function openStore(config: Config, logger: Logger): Promise<Store> {
  const started = performance.now();
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (handle.kind === 'postgres') await requireCurrentSchema(handle.db);
    const bars = await createDailyBarsRepository(handle.db, { pool: handle.pool });
    logger.debug({ database: handle.target, kind: handle.kind, ms: Math.round(performance.now() - started) }, 'database open');
    return { handle, bars, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
