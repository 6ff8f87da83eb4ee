import { sql, type Kysely } from 'kysely';

/**
 * The crawler's own record of the market, created in adopted databases too (the
 * backend's tables are not touched):
 *
 * - `market_instruments`: every instrument a sync kept from the exchange's ISIN pages —
 *   code, name, market ('TSE'/'TPEx'), type (stock, etf, preferred, tdr…), ISIN, CFI code,
 *   industry, listing date; when the crawler first and last saw it listed, and the day it
 *   was found gone (`delisted_date`, cleared on relisting). `stocks` is kept in step with it.
 * - `market_holidays`: the exchange's closures, one row per day, kept across years.
 * - `market_sync_state`: per source (`TSE`, `TPEx`, `holidays`) the last good sync — its
 *   row counts, the baseline a later page is checked against — and the last attempt with
 *   its error, so `update` and `health` know how old the universe and the calendar are.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table market_instruments (
      code          text        primary key,
      name          text        not null,
      market        text        not null,
      type          text        not null,
      isin          text,
      cfi           text,
      industry      text,
      listed_date   date,
      first_seen    timestamptz not null default now(),
      last_seen     timestamptz not null default now(),
      delisted_date date
    )`.execute(db);
  // `symbols --market … --type …` and the per-market reads of a sync.
  await sql`create index market_instruments_market_type_idx on market_instruments (market, type)`.execute(db);

  await sql`
    create table market_holidays (
      day         date        primary key,
      name        text        not null,
      description text,
      synced_at   timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table market_sync_state (
      source     text        primary key,
      url        text        not null,
      row_count  integer,
      kept_count integer,
      synced_at  timestamptz,
      checked_at timestamptz not null default now(),
      last_error text
    )`.execute(db);
}
