import { sql, type Kysely, type RawBuilder } from 'kysely';
import { hasIndexLeadingWith, tableIndexes } from './catalog.js';

/*
 * Two of stock_daily_data's indexes serve no write the crawler makes (those go by the
 * unique key on (stock_code, trade_date), which ON CONFLICT needs and which stays):
 * - the trade_date index serves newest-date checks and date-range reads. A row's entry
 *   lands on whichever page holds its date, so a backfill, which writes every date of one
 *   symbol after another, touches the whole index for each symbol; in the embedded
 *   database, whose few megabytes of buffers hold a sliver of it, that was some 40 % of a
 *   first backfill;
 * - the primary key on id. Its entries go to the right-hand end, but each one is still a
 *   B-tree insertion: measured in the embedded database, 2.88 million rows went in by COPY
 *   in 21.7 s with it and 17.3 s without, and it was built again in 1.9 s.
 * PostgreSQL's advice for a bulk load applies: drop them, load, build them once (a sort);
 * batch/bulk-load.ts decides which pays for a given run.
 * Only the embedded database does this: its data directory is locked to one process, so
 * no reader ever sees the table without them, and nothing but the crawler writes ids.
 */

/** The name migration 0001 gives the trade_date index on a table it creates. */
export const TRADE_DATE_INDEX = 'stock_daily_data_trade_date_idx';

/** The name PostgreSQL gives the primary key of the table migration 0001 creates. */
export const PRIMARY_KEY = 'stock_daily_data_pkey';

/** Sort memory for the builds: inside the embedded database it is this process's memory. */
const BUILD_MEMORY = '16MB';

/** stock_daily_data's primary key, if it has one: its name, and whether it is the one on (id) that migration 0001 makes. */
async function primaryKey(db: Kysely<any>): Promise<{ name: string; onId: boolean } | undefined> {
  const { rows } = await sql<{ name: string; on_id: boolean }>`
    select c.conname as name, c.conkey = array[a.attnum]::int2[] as on_id
    from pg_constraint c
    left join pg_attribute a on a.attrelid = c.conrelid and a.attname = 'id'
    where c.conrelid = to_regclass('stock_daily_data') and c.contype = 'p'`.execute(db);
  const row = rows[0];
  return row === undefined ? undefined : { name: row.name, onId: row.on_id === true };
}

/** What a bulk load may drop and build again. */
export type DeferrableIndex = 'trade_date' | 'primary_key';

/** Drops `which` ahead of a bulk load (the primary key only where it is the one on id). */
export async function dropDeferredIndexes(db: Kysely<any>, which: readonly DeferrableIndex[]): Promise<void> {
  if (which.includes('trade_date')) await sql`drop index if exists ${sql.id(TRADE_DATE_INDEX)}`.execute(db);
  const key = which.includes('primary_key') ? await primaryKey(db) : undefined;
  if (key?.onId === true) await sql`alter table stock_daily_data drop constraint ${sql.id(key.name)}`.execute(db);
}

/**
 * Builds what a bulk load dropped, where it is missing: the primary key on id when the
 * table has none, the trade_date index when no index leads with trade_date. Runs after a
 * bulk load, and on opening a data directory whose last load ended before it could (a
 * killed process).
 * @returns what it built.
 */
export async function restoreDeferredIndexes(db: Kysely<any>): Promise<DeferrableIndex[]> {
  const builds: Array<[DeferrableIndex, RawBuilder<unknown>]> = [];
  if ((await primaryKey(db)) === undefined) builds.push(['primary_key', sql`alter table stock_daily_data add constraint ${sql.id(PRIMARY_KEY)} primary key (id)`]);
  if (!hasIndexLeadingWith(await tableIndexes(db, 'stock_daily_data'), 'trade_date')) {
    builds.push(['trade_date', sql`create index if not exists ${sql.id(TRADE_DATE_INDEX)} on stock_daily_data (trade_date)`]);
  }
  for (const [, statement] of builds) {
    await db.transaction().execute(async (trx) => {
      await sql`set local maintenance_work_mem = ${sql.lit(BUILD_MEMORY)}`.execute(trx);
      await statement.execute(trx);
    });
  }
  return builds.map(([name]) => name);
}

/** Bytes a stored bar takes in the table's pages (measured: 2.88 million rows in 339 MiB). */
const BYTES_PER_ROW = 123;

/** About how many rows stock_daily_data holds, from its size on disk: no scan. */
export async function storedRowsEstimate(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ bytes: string | number }>`select pg_relation_size('stock_daily_data') as bytes`.execute(db);
  return Math.round(Number(rows[0]?.bytes ?? 0) / BYTES_PER_ROW);
}
