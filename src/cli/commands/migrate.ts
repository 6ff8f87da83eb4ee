import { migrateToLatest } from '../../db/schema/migrate.js';
import { openDatabase } from '../../db/connection/open-database.js';
import type { Config } from '../../config/schema.js';
import { EXIT_CODES } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CommandOutput } from '../command-output.js';

/** `stock-crawler migrate`: applies pending migrations (creating or adopting the tables). */
export async function migrateCommand(input: { config: Config; logger: Logger }): Promise<CommandOutput> {
  const handle = await openDatabase({ databaseUrl: input.config.databaseUrl, dataDir: input.config.dataDir, migrateEmbedded: false });
  try {
    const { applied } = await migrateToLatest(handle.db);
    input.logger.info({ database: handle.target, applied }, applied.length ? 'migrations applied' : 'schema already current');
    return {
      exitCode: EXIT_CODES.ok,
      document: {
        success: true,
        message: applied.length ? `applied ${applied.length} migration(s)` : 'schema already current',
        database: handle.target,
        applied,
        source: 'node',
      },
    };
  } finally {
    await handle.close();
  }
}
