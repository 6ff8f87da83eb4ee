import { sql, type Kysely, type Migration } from 'kysely';
import { expect, it } from 'vitest';
import { tableColumns, tableExists, tableIndexes } from '../../../src/db/schema/catalog.js';
import { checkSchema, MIGRATIONS, migrateToLatest, requireCurrentSchema } from '../../../src/db/schema/migrate.js';
import { SchemaError } from '../../../src/errors.js';
import { describeBackends, useEmptyDatabase } from '../../support/databases.js';

describeBackends('migrations on a fresh database', (backend) => {
  const fresh = useEmptyDatabase(backend, { scope: 'test' });

  it('requireCurrentSchema refuses an empty database and says to run migrate', async () => {
    const status = await checkSchema(fresh.db);
    expect(status).toMatchObject({
      current: false,
      applied: [],
      pending: Object.keys(MIGRATIONS),
      missingTables: ['stocks', 'stock_daily_data'],
      flavour: null,
    });
    const error = await requireCurrentSchema(fresh.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    expect(error).toMatchObject({ code: 'E_DB_SCHEMA' });
    expect((error as Error).message).toContain('stock-crawler migrate');
  });

  it('creates the tables in the crawler types, with every column the backend reads', async () => {
    expect(await migrateToLatest(fresh.db)).toEqual({ applied: Object.keys(MIGRATIONS) });

    const daily = await tableColumns(fresh.db, 'stock_daily_data');
    expect(Object.fromEntries(daily)).toEqual({
      id: 'bigint',
      stock_code: 'character varying(20)',
      trade_date: 'date',
      open_price: 'numeric(12,4)',
      high_price: 'numeric(12,4)',
      low_price: 'numeric(12,4)',
      close_price: 'numeric(12,4)',
      volume: 'bigint',
      turnover: 'numeric(20,2)',
      price_change: 'numeric(12,4)',
      price_change_rate: 'numeric(10,4)',
      ma5: 'numeric(12,4)',
      ma10: 'numeric(12,4)',
      ma20: 'numeric(12,4)',
      data_source: 'character varying(50)',
      data_quality: 'character varying(20)',
      is_validated: 'boolean',
      created_at: 'timestamp with time zone',
      updated_at: 'timestamp with time zone',
    });
    const stocks = await tableColumns(fresh.db, 'stocks');
    expect([...stocks.keys()]).toEqual([
      'id', 'stock_code', 'stock_name', 'market', 'industry', 'capital_stock',
      'capital_updated_at', 'is_active', 'created_at', 'updated_at',
    ]);
    const indexes = await tableIndexes(fresh.db, 'stock_daily_data');
    expect(indexes.map(({ unique, columns }) => ({ unique, columns }))).toEqual(
      expect.arrayContaining([
        { unique: true, columns: ['stock_code', 'trade_date'] },
        { unique: false, columns: ['trade_date'] },
      ]),
    );
    const { rows } = await sql<{ nullable: string }>`
      select is_nullable as nullable from information_schema.columns
      where table_name = 'stock_daily_data' and column_name = 'data_source'`.execute(fresh.db);
    expect(rows).toEqual([{ nullable: 'NO' }]);

    expect(await requireCurrentSchema(fresh.db)).toMatchObject({ current: true, flavour: 'crawler', pending: [] });
  });

  it('applies nothing the second time', async () => {
    await migrateToLatest(fresh.db);
    expect(await migrateToLatest(fresh.db)).toEqual({ applied: [] });
    expect((await checkSchema(fresh.db)).applied).toEqual(Object.keys(MIGRATIONS));
  });

  it('refuses a database migrated by a newer crawler', async () => {
    await migrateToLatest(fresh.db);
    await sql`insert into stock_crawler_migration (name, timestamp) values ('9999-from-the-future', '2099-01-01')`.execute(
      fresh.db,
    );
    const status = await checkSchema(fresh.db);
    expect(status).toMatchObject({ current: false, unknown: ['9999-from-the-future'] });
    await expect(requireCurrentSchema(fresh.db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA' });
  });

  it('refuses a database whose tables were dropped after migrating', async () => {
    await migrateToLatest(fresh.db);
    await sql`drop table stock_daily_data`.execute(fresh.db);
    await expect(requireCurrentSchema(fresh.db)).rejects.toBeInstanceOf(SchemaError);
  });

  it('leaves the previous schema and its data intact when a migration fails midway', async () => {
    await migrateToLatest(fresh.db);
    await sql`insert into stocks (stock_code, stock_name, market) values ('2330', '台積電', 'TSE')`.execute(fresh.db);
    const before = await schemaSnapshot(fresh.db);

    const error = await migrateToLatest(fresh.db, { migrations: { ...MIGRATIONS, [FAILING]: FAILS_MIDWAY } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toContain(FAILING);

    expect(await schemaSnapshot(fresh.db)).toEqual(before);
    expect((await checkSchema(fresh.db)).applied).toEqual(Object.keys(MIGRATIONS));
    const { rows } = await sql<{ stock_code: string; stock_name: string }>`select stock_code, stock_name from stocks`.execute(fresh.db);
    expect(rows).toEqual([{ stock_code: '2330', stock_name: '台積電' }]);
    // The failed migration is applied once it is fixed, as if nothing had happened.
    await expect(migrateToLatest(fresh.db, { migrations: { ...MIGRATIONS, [FAILING]: WORKS } })).resolves.toEqual({ applied: [FAILING] });
  });

  it('applies the pending migrations of one run together or not at all', async () => {
    const error = await migrateToLatest(fresh.db, { migrations: { ...MIGRATIONS, [FAILING]: FAILS_MIDWAY } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    // The real migrations succeeded before the failing one; they were rolled back with it.
    expect(await checkSchema(fresh.db)).toMatchObject({ applied: [], missingTables: ['stocks', 'stock_daily_data'] });
    expect(await tableExists(fresh.db, 'crawl_runs')).toBe(false);
  });
});

/** A migration named to sort after every real one. */
const FAILING = '9000-fails-midway';

/** Changes the schema and the data, then fails: none of it may remain. */
const FAILS_MIDWAY: Migration = {
  async up(db) {
    await sql`alter table stock_daily_data add column half_done integer`.execute(db);
    await sql`create table half_done (id integer)`.execute(db);
    await sql`update stocks set stock_name = 'overwritten'`.execute(db);
    await sql`select 1 / 0`.execute(db);
  },
};

const WORKS: Migration = {
  async up(db) {
    await sql`create table half_done (id integer)`.execute(db);
  },
};

/** Every column and index of the current schema. */
async function schemaSnapshot(db: Kysely<any>): Promise<unknown> {
  const columns = await sql`
    select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
    where table_schema = current_schema() order by table_name, column_name`.execute(db);
  const indexes = await sql`
    select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by tablename, indexname`.execute(db);
  return { columns: columns.rows, indexes: indexes.rows };
}
