import { systemClock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { listUniverse, type UniverseFilter, type UniverseRow } from '../db/market/universe-query.js';
import { openStore } from '../db/open-store.js';
import type { Logger } from '../logger.js';
import { syncReference } from './reference-sync.js';
import { checkSyncFlags, type SyncFlags, type SyncRunResult } from './sync-run.js';

/** `sync`: opens the database (migrating the embedded one) and syncs the universe and the calendar into it. */
export async function runSyncCommand(flags: SyncFlags, env: { config: Config; logger: Logger; signal: AbortSignal }): Promise<SyncRunResult> {
  // Refused before the database is opened (the embedded one takes a second to start).
  checkSyncFlags(flags);
  const store = await openStore(env.config, env.logger);
  try {
    return await syncReference(store.handle.db, flags, { ...env, clock: systemClock });
  } finally {
    await store.close();
  }
}

/** `symbols`: the universe as stored, with what the last sync knew of each symbol. */
export async function readUniverse(filter: UniverseFilter, env: { config: Config; logger: Logger }): Promise<UniverseRow[]> {
  const store = await openStore(env.config, env.logger);
  try {
    return await listUniverse(store.handle.db, filter);
  } finally {
    await store.close();
  }
}
