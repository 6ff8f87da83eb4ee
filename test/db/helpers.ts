import { readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createDailyBarsRepository, type DailyBarsRepository } from '../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import type { DatabaseHandle } from '../../src/db/connection/open-database.js';
import type { Database } from '../../src/db/schema/tables.js';
import type { TestBackend } from '../support/databases.js';

export { bar } from '../support/bars.js';

/** Which stock_daily_data a test database holds: the crawler's own, or the Python backend's adopted. */
export type TableFlavour = 'crawler' | 'legacy';

/** Creates the Python backend's tables exactly as legacy-schema.md defines them. */
export async function createLegacySchema(db: Kysely<any>): Promise<void> {
  const ddl = await readFile(new URL('./legacy-schema.sql', import.meta.url), 'utf8');
  await sql.raw(ddl).execute(db);
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
  /** The server database's URL; undefined for the embedded one. */
  url: string | undefined;
  /** Closes the handle, then drops the database. */
  close(): Promise<void>;
  /** Drops the database without closing the handle (a server terminates its connections). */
  drop(): Promise<void>;
}

/**
 * Creates a database on `backend`, with the backend's legacy tables first when `flavour`
 * is 'legacy', migrates it and binds the bars repository. One per suite: opening one is
 * the slow part.
 */
export async function openBarsDatabase(
  backend: TestBackend,
  flavour: TableFlavour,
  options: { timeZone?: string } = {},
): Promise<BarsDatabase> {
  const database = await backend.create();
  const handle = await database.open(options);
  try {
    if (flavour === 'legacy') await createLegacySchema(handle.db);
    await migrateToLatest(handle.db);
    const repository = await createDailyBarsRepository(handle.db);
    return {
      handle,
      repository,
      url: database.url,
      close: async () => {
        await handle.close();
        await database.drop();
      },
      drop: database.drop,
    };
  } catch (error) {
    await handle.close();
    await database.drop();
    throw error;
  }
}

/** The migrated database of a suite (see {@link useMigratedDatabase}); each part throws outside the suite. */
export interface SuiteDatabase {
  readonly handle: DatabaseHandle;
  readonly db: Kysely<Database>;
  readonly repository: DailyBarsRepository;
  readonly url: string | undefined;
}

/**
 * Declares, in the enclosing describe, one migrated database of `flavour` on `backend`
 * for the whole suite (opened before its first test, dropped after its last), with the
 * session TimeZone `timeZone`. With `emptyBarsBeforeEach`, every test starts from an
 * empty stock_daily_data.
 */
export function useMigratedDatabase(
  backend: TestBackend,
  flavour: TableFlavour,
  options: { timeZone?: string; emptyBarsBeforeEach?: boolean } = {},
): SuiteDatabase {
  let opened: BarsDatabase | undefined;
  const current = (): BarsDatabase => {
    if (opened === undefined) throw new Error('the suite database is used outside its suite');
    return opened;
  };
  beforeAll(async () => {
    opened = await openBarsDatabase(backend, flavour, { timeZone: options.timeZone });
  });
  afterAll(async () => {
    const database = opened;
    opened = undefined;
    await database?.close();
  });
  if (options.emptyBarsBeforeEach) {
    beforeEach(async () => {
      await sql`truncate stock_daily_data`.execute(current().handle.db);
    });
  }
  return {
    get handle() {
      return current().handle;
    },
    get db() {
      return current().handle.db;
    },
    get repository() {
      return current().repository;
    },
    get url() {
      return current().url;
    },
  };
}
