import { sql, type Kysely } from 'kysely';
import { DuplicateRowsError, SchemaError } from '../../../errors.js';
import { hasIndexLeadingWith, hasUniqueKeyOn, tableColumns, tableExists, tableIndexes } from '../catalog.js';
import { findDuplicateKeys } from '../duplicate-keys.js';
import { markCreatedByCrawler } from '../table-owner.js';
import { tradeDateKind, type TradeDateKind } from '../trade-date-sql.js';

const NAME = '0001-adopt-or-create-tables';

/**
 * Creates `stocks` and `stock_daily_data` where they are missing, in types that fit the
 * data, with every column the Python backend reads. Where the backend already created
 * them, they are adopted as they are: no column is altered or dropped; only the unique
 * key the upsert needs is added (after checking for duplicates, which stop the
 * migration and are reported, never deleted) and, if missing, an index on trade_date.
 *
 * A table this migration creates is marked as the crawler's (see table-owner.ts): the
 * crawler may add symbols to its own `stocks`, never to the backend's.
 *
 * Runs inside the migrator's transaction: a failure leaves the schema as it was.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createStocks(db);
  await createDailyData(db);
  const kind = await adoptableTradeDateKind(db);
  await addMissingIndexes(db, kind);
}

/** `stocks` in the same shape as the backend's own table (legacy-schema.md), marked as ours if created here. */
async function createStocks(db: Kysely<any>): Promise<void> {
  const existed = await tableExists(db, 'stocks');
  await sql`
    create table if not exists stocks (
      id                 serial primary key,
      stock_code         varchar(20)  not null unique,
      stock_name         varchar(255) not null,
      market             varchar(10)  not null,
      industry           varchar(100),
      capital_stock      bigint,
      capital_updated_at timestamptz,
      is_active          boolean default true,
      created_at         timestamptz default now(),
      updated_at         timestamptz
    )`.execute(db);
  if (!existed) await markCreatedByCrawler(db, 'stocks', NAME);
}

/** `stock_daily_data` with every column the backend reads, marked as ours if created here. */
async function createDailyData(db: Kysely<any>): Promise<void> {
  const existed = await tableExists(db, 'stock_daily_data');
  // bigserial: every row an upsert inserts or offers draws an id that is never reused;
  // 64 bits leave no ceiling to reach. Prices are exact to the 4 decimals adjusted prices
  // carry; nullable columns stay nullable as the backend has them.
  await sql`
    create table if not exists stock_daily_data (
      id                bigserial primary key,
      stock_code        varchar(20)   not null,
      trade_date        date          not null,
      open_price        numeric(12,4),
      high_price        numeric(12,4),
      low_price         numeric(12,4),
      close_price       numeric(12,4),
      volume            bigint,
      turnover          numeric(20,2),
      price_change      numeric(12,4),
      price_change_rate numeric(10,4),
      ma5               numeric(12,4),
      ma10              numeric(12,4),
      ma20              numeric(12,4),
      data_source       varchar(50)   not null,
      data_quality      varchar(20),
      is_validated      boolean       default false,
      created_at        timestamptz   not null default now(),
      updated_at        timestamptz   not null default now(),
      constraint stock_daily_data_stock_code_trade_date_key unique (stock_code, trade_date)
    )`.execute(db);
  if (!existed) await markCreatedByCrawler(db, 'stock_daily_data', NAME);
}

/**
 * How stock_daily_data holds trade_date, checked adoptable (with a stock_code beside it).
 * @throws SchemaError when the columns cannot be adopted.
 */
async function adoptableTradeDateKind(db: Kysely<any>): Promise<TradeDateKind> {
  const columns = await tableColumns(db, 'stock_daily_data');
  const kind = tradeDateKind(columns.get('trade_date'));
  if (kind === undefined || !columns.has('stock_code')) {
    throw new SchemaError(
      `stock_daily_data exists but its stock_code/trade_date columns cannot be adopted ` +
        `(trade_date is ${columns.get('trade_date') ?? 'missing'})`,
    );
  }
  return kind;
}

/**
 * The unique key the upsert needs, after checking for duplicates (reported, never deleted),
 * and an index on trade_date, where an adopted table lacks them.
 * @throws DuplicateRowsError when rows repeat a (stock_code, trade_date).
 */
async function addMissingIndexes(db: Kysely<any>, kind: TradeDateKind): Promise<void> {
  const indexes = await tableIndexes(db, 'stock_daily_data');
  if (!hasUniqueKeyOn(indexes, ['stock_code', 'trade_date'])) {
    const duplicates = await findDuplicateKeys(db, kind);
    if (duplicates.length > 0) throw new DuplicateRowsError(duplicates);
    // The name PostgreSQL gives `ADD UNIQUE (stock_code, trade_date)`, as in the
    // deployments that already have it.
    await sql`
      alter table stock_daily_data
      add constraint stock_daily_data_stock_code_trade_date_key unique (stock_code, trade_date)`.execute(db);
  }
  if (!hasIndexLeadingWith(indexes, 'trade_date')) {
    // Newest-date health checks and the backend's date-range reads.
    await sql`create index stock_daily_data_trade_date_idx on stock_daily_data (trade_date)`.execute(db);
  }
}
