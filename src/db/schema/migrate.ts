import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { CrawlerError, DatabaseUnavailableError, SchemaError } from '../../errors.js';
import { describeTables } from './catalog.js';
import { isConnectionFailure } from '../connection/connection-errors.js';
import * as m0001 from './migrations/0001-adopt-or-create-tables.js';
import * as m0002 from './migrations/0002-crawl-runs.js';
import * as m0003 from './migrations/0003-add-market-reference.js';

/**
 * Every migration, by name, in the order they apply. A static object rather than a
 * folder scan: the compiled dist/ must not depend on file paths. Forward-only.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-adopt-or-create-tables': m0001,
  '0002-crawl-runs': m0002,
  '0003-add-market-reference': m0003,
};

/** The crawler's bookkeeping tables, named so a shared database shows whose they are. */
export const MIGRATION_TABLE = 'stock_crawler_migration';
export const MIGRATION_LOCK_TABLE = 'stock_crawler_migration_lock';

/** What `checkSchema` found. */
export interface SchemaStatus {
  /** Tables present and every migration of this build applied. */
  current: boolean;
  applied: string[];
  pending: string[];
  /** Applied migrations this build does not know: a newer crawler migrated the database. */
  unknown: string[];
  /** Missing tables among stocks, stock_daily_data. */
  missingTables: string[];
  /** `crawler` when trade_date is a date, `legacy` when the backend's timestamp; null without the table. */
  flavour: 'crawler' | 'legacy' | null;
}

/**
 * Applies pending migrations. Kysely's Migrator runs them all in one transaction on
 * PostgreSQL (and PGlite) under an advisory lock, so a failure leaves the previous
 * schema intact and two concurrent runs do not race.
 * @param options.migrations what to apply instead of MIGRATIONS (tests inject a failing one)
 * @throws DuplicateRowsError when the adopted table holds twins; SchemaError otherwise.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  options: { migrations?: Readonly<Record<string, Migration>> } = {},
): Promise<{ applied: string[] }> {
  const migrations = options.migrations ?? MIGRATIONS;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    if (error instanceof CrawlerError) throw error;
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const what = failed ? `migration ${failed} failed` : 'migrating failed';
    const reason = error instanceof Error ? error.message : String(error);
    if (isConnectionFailure(error)) throw new DatabaseUnavailableError(`${what}: ${reason}`, { cause: error });
    throw new SchemaError(`${what}: ${reason}`, { cause: error });
  }
  return { applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}

/** Reads the schema state without changing anything. */
export async function checkSchema(db: Kysely<any>): Promise<SchemaStatus> {
  const tables = await describeTables(db, [MIGRATION_TABLE, 'stocks', 'stock_daily_data']);
  let applied: string[] = [];
  if (tables.get(MIGRATION_TABLE)?.exists === true) {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
    applied = rows.map((row) => row.name);
  }
  const known = Object.keys(MIGRATIONS).sort();
  const pending = known.filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !known.includes(name));

  const missingTables = ['stocks', 'stock_daily_data'].filter((table) => tables.get(table)?.exists !== true);
  const bars = tables.get('stock_daily_data');
  const flavour: SchemaStatus['flavour'] = bars?.exists === true ? (bars.columns.get('trade_date') === 'date' ? 'crawler' : 'legacy') : null;
  const current = pending.length === 0 && unknown.length === 0 && missingTables.length === 0;
  return { current, applied, pending, unknown, missingTables, flavour };
}

/**
 * Refuses to go on with a schema this build cannot use.
 * @throws SchemaError saying to run `stock-crawler migrate` (tables missing, migrations
 * pending) or to upgrade the crawler (the database knows newer migrations).
 */
export async function requireCurrentSchema(db: Kysely<any>): Promise<SchemaStatus> {
  const status = await checkSchema(db);
  if (status.unknown.length > 0) {
    throw new SchemaError(
      `the database was migrated by a newer stock-crawler (${status.unknown.join(', ')}); upgrade stock-crawler`,
    );
  }
  if (!status.current) {
    const problems = [
      ...(status.missingTables.length > 0 ? [`missing tables: ${status.missingTables.join(', ')}`] : []),
      ...(status.pending.length > 0 ? [`pending migrations: ${status.pending.join(', ')}`] : []),
    ];
    throw new SchemaError(`the database schema is not current (${problems.join('; ')}); run \`stock-crawler migrate\``);
  }
  return status;
}
