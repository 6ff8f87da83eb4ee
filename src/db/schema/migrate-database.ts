import { openDatabase } from '../connection/open-database.js';
import type { StoreLocation } from '../open-store.js';
import { migrateToLatest } from './migrate.js';

/** Opens the database, applies its pending migrations and closes it; says where (password masked) and what was applied. */
export async function migrateDatabase(location: StoreLocation): Promise<{ target: string; applied: string[] }> {
  const handle = await openDatabase({ databaseUrl: location.databaseUrl, dataDir: location.dataDir, migrateEmbedded: false });
  try {
    const { applied } = await migrateToLatest(handle.db);
    return { target: handle.target, applied };
  } finally {
    await handle.close();
  }
}
