import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tableColumns, tableExists } from '../../../src/db/schema/catalog.js';
import { MIGRATIONS, migrateToLatest, requireCurrentSchema } from '../../../src/db/schema/migrate.js';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { describeBackends, type TestDatabase } from '../../support/databases.js';
import { createLegacySchema } from '../helpers.js';
import { backendTableShapes } from './helpers.js';

const MARKET_TABLES = ['market_instruments', 'market_holidays', 'market_sync_state'];

describeBackends('migration 0003-add-market-reference', (backend) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await backend.create();
    handle = await database.open();
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('creates the market tables on an adopted backend database and leaves the backend’s tables exactly as they were', async () => {
    await createLegacySchema(handle.db);
    await sql`insert into stocks (stock_code, stock_name, market) values ('2330', '台積電', 'TSE')`.execute(handle.db);
    // 0001 adds the bars' unique key where it is missing; nothing else of the backend's may change.
    const shapes = async (): Promise<unknown> => {
      const shape = (await backendTableShapes(handle.db)) as { columns: unknown[]; indexes: Array<{ indexname: string }> };
      return { ...shape, indexes: shape.indexes.filter((index) => index.indexname !== 'stock_daily_data_stock_code_trade_date_key') };
    };
    const before = await shapes();
    const names = Object.keys(MIGRATIONS);
    expect(names).toContain('0003-add-market-reference');
    await migrateToLatest(handle.db);
    await requireCurrentSchema(handle.db);
    for (const table of MARKET_TABLES) expect(await tableExists(handle.db, table)).toBe(true);
    expect(await shapes()).toEqual(before);
    expect((await sql<{ n: number }>`select count(*)::int as n from stocks`.execute(handle.db)).rows[0]?.n).toBe(1);
  });

  it('gives the tables the columns the repositories write', async () => {
    expect(Object.fromEntries(await tableColumns(handle.db, 'market_instruments'))).toEqual({
      code: 'text',
      name: 'text',
      market: 'text',
      type: 'text',
      isin: 'text',
      cfi: 'text',
      industry: 'text',
      listed_date: 'date',
      first_seen: 'timestamp with time zone',
      last_seen: 'timestamp with time zone',
      delisted_date: 'date',
    });
    expect(Object.fromEntries(await tableColumns(handle.db, 'market_holidays'))).toEqual({
      day: 'date',
      name: 'text',
      description: 'text',
      synced_at: 'timestamp with time zone',
    });
    expect(Object.fromEntries(await tableColumns(handle.db, 'market_sync_state'))).toEqual({
      source: 'text',
      url: 'text',
      row_count: 'integer',
      kept_count: 'integer',
      synced_at: 'timestamp with time zone',
      checked_at: 'timestamp with time zone',
      last_error: 'text',
    });
  });
});
