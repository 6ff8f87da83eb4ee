import { readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import { createDailyBarsRepository, type DailyBarsRepository } from '../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import type { DatabaseHandle } from '../../src/db/connection/open-database.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import type { TestBackend } from '../support/databases.js';

/** Creates the Python backend's tables exactly as legacy-schema.md defines them. */
export async function createLegacySchema(db: Kysely<any>): Promise<void> {
  const ddl = await readFile(new URL('./legacy-schema.sql', import.meta.url), 'utf8');
  await sql.raw(ddl).execute(db);
}

/** A valid bar; prices default around `close`. */
export function bar(stock_code: string, trade_date: string, close: number, overrides: Partial<DailyBar> = {}): DailyBar {
  return {
    stock_code,
    trade_date,
    open_price: close - 1,
    high_price: close + 2,
    low_price: close - 2,
    close_price: close,
    volume: 1000,
    data_quality: 'valid',
    ...overrides,
  };
}

/** Rows of stock_daily_data with the stored trade_date rendered in UTC, ordered by code and date. */
export async function storedRows(db: Kysely<any>): Promise<Array<Record<string, unknown>>> {
  const { rows } = await sql<Record<string, unknown>>`
    select id, stock_code,
           case when pg_typeof(trade_date) = 'date'::regtype then trade_date::text
                when pg_typeof(trade_date) = 'timestamp'::regtype
                  then to_char(trade_date::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS')
                else to_char(trade_date::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end as stored,
           open_price, high_price, low_price, close_price, volume, data_source, data_quality, ma5, price_change
    from stock_daily_data order by stock_code, trade_date, id`.execute(db);
  return rows;
}

/** A migrated database of one table flavour, its repository, and how to get rid of it. */
export interface BarsDatabase {
  handle: DatabaseHandle;
  repository: DailyBarsRepository;
  close(): Promise<void>;
}

/**
 * Creates a database on `backend`, with the backend's legacy tables first when `flavour`
 * is 'legacy', migrates it and binds the bars repository. One per suite: opening one is
 * the slow part.
 */
export async function openBarsDatabase(
  backend: TestBackend,
  flavour: 'crawler' | 'legacy',
  options: { timeZone?: string } = {},
): Promise<BarsDatabase> {
  const database = await backend.create();
  const handle = await database.open(options);
  if (flavour === 'legacy') await createLegacySchema(handle.db);
  await migrateToLatest(handle.db);
  const repository = await createDailyBarsRepository(handle.db);
  return {
    handle,
    repository,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}
