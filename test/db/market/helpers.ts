import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { migrateToLatest } from '../../../src/db/schema/migrate.js';
import type { TestBackend } from '../../support/databases.js';
import { createLegacySchema } from '../helpers.js';

/** The two kinds of database a sync must work on: the crawler's own tables, or the backend's adopted ones. */
export const FLAVOURS = ['crawler', 'legacy'] as const;

export type Flavour = (typeof FLAVOURS)[number];

/** A migrated database of one flavour; `close()` drops it. */
export interface MarketDatabase {
  handle: DatabaseHandle;
  db: Kysely<any>;
  close(): Promise<void>;
}

/** Creates and migrates a database on `backend`, with the backend's tables first for `legacy`. */
export async function openMarketDatabase(backend: TestBackend, flavour: Flavour): Promise<MarketDatabase> {
  const database = await backend.create();
  const handle = await database.open();
  if (flavour === 'legacy') await createLegacySchema(handle.db);
  await migrateToLatest(handle.db);
  return {
    handle,
    db: handle.db,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

/** Empties every table a sync writes. */
export async function emptyMarketTables(db: Kysely<any>): Promise<void> {
  await sql`truncate stocks, stock_daily_data, crawl_runs, market_instruments, market_holidays, market_sync_state`.execute(db);
  if ((await sql<{ found: boolean }>`select to_regclass('task_execution_logs') is not null as found`.execute(db)).rows[0]?.found) {
    await sql`truncate task_execution_logs`.execute(db);
  }
}

/** Columns (name, type, nullability, default) and indexes of the backend's tables: what adoption must leave as it is. */
export async function backendTableShapes(db: Kysely<any>): Promise<unknown> {
  const columns = await sql`
    select table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
    from information_schema.columns
    where table_schema = current_schema() and table_name in ('stocks', 'stock_daily_data', 'task_execution_logs')
    order by table_name, ordinal_position`.execute(db);
  const indexes = await sql`
    select tablename, indexname, indexdef from pg_indexes
    where schemaname = current_schema() and tablename in ('stocks', 'stock_daily_data', 'task_execution_logs')
    order by tablename, indexname`.execute(db);
  return { columns: columns.rows, indexes: indexes.rows };
}

/** Rows of stocks as a test compares them. */
export async function stockRows(db: Kysely<any>): Promise<Array<{ stock_code: string; stock_name: string; market: string; industry: string | null; is_active: boolean | null }>> {
  const { rows } = await sql<{ stock_code: string; stock_name: string; market: string; industry: string | null; is_active: boolean | null }>`
    select stock_code, stock_name, market, industry, is_active from stocks order by stock_code collate "C"`.execute(db);
  return rows;
}
