import { sql, type Kysely } from 'kysely';
import { hasIndexLeadingWith, tableIndexes } from './catalog.js';

/*
 * The index on stock_daily_data (trade_date) serves newest-date checks and date-range
 * reads, not the crawler's writes (those go by the unique key). A row's entry lands on
 * whichever page holds its date, so a backfill, which writes every date of one symbol
 * after another, touches the whole index for each symbol; in the embedded database, whose
 * few megabytes of buffers hold a sliver of it, that was some 40 % of a first backfill.
 * PostgreSQL's advice for a bulk load applies: drop the index, load, build it once
 * (a sort, seconds for millions of rows). Only the embedded database does this: its
 * data directory is locked to one process, so no reader ever sees the table without it.
 */

/** The name migration 0001 gives the index on a table it creates. */
export const TRADE_DATE_INDEX = 'stock_daily_data_trade_date_idx';

/** Sort memory for the build: inside the embedded database it is this process's memory. */
const BUILD_MEMORY = '16MB';

/** Drops the trade_date index ahead of a bulk load. */
export async function dropTradeDateIndex(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists ${sql.id(TRADE_DATE_INDEX)}`.execute(db);
}

/**
 * Builds the trade_date index when no index leads with trade_date: after a bulk load, and
 * on opening a data directory whose last load ended before it could (a killed process).
 * @returns whether it built one.
 */
export async function restoreTradeDateIndex(db: Kysely<any>): Promise<boolean> {
  if (hasIndexLeadingWith(await tableIndexes(db, 'stock_daily_data'), 'trade_date')) return false;
  await db.transaction().execute(async (trx) => {
    await sql`set local maintenance_work_mem = ${sql.lit(BUILD_MEMORY)}`.execute(trx);
    await sql`create index if not exists ${sql.id(TRADE_DATE_INDEX)} on stock_daily_data (trade_date)`.execute(trx);
  });
  return true;
}

/** Bytes a stored bar takes in the table's pages (measured: 2.88 million rows in 339 MiB). */
const BYTES_PER_ROW = 123;

/** About how many rows stock_daily_data holds, from its size on disk: no scan. */
export async function storedRowsEstimate(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ bytes: string | number }>`select pg_relation_size('stock_daily_data') as bytes`.execute(db);
  return Math.round(Number(rows[0]?.bytes ?? 0) / BYTES_PER_ROW);
}
