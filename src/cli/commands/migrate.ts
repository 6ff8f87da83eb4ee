import { migrateDatabase } from '../../db/schema/migrate-database.js';
import { EXIT_CODES } from '../../errors.js';
import type { CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';

/** `stock-crawler migrate`: applies pending migrations (creating or adopting the tables). */
export async function migrateCommand(context: CommandContext): Promise<CommandOutput> {
  const { target, applied } = await migrateDatabase(context.config);
  context.logger.info({ database: target, applied }, applied.length ? 'migrations applied' : 'schema already current');
  const message = applied.length ? `applied ${applied.length} migration(s)` : 'schema already current';
  return { exitCode: EXIT_CODES.ok, document: { success: true, message, database: target, applied, source: 'node' } };
}
