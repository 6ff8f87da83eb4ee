import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStocksRepository } from '../../../src/db/stocks/stocks-repository.js';
import { describeBackends } from '../../support/databases.js';
import { backendTableShapes, emptyMarketTables, FLAVOURS, openMarketDatabase, stockRows, type MarketDatabase } from '../market/helpers.js';

/** Rows as the backend keeps them: active, inactive, one whose is_active nobody set, one with an empty industry. */
async function seed(database: MarketDatabase): Promise<void> {
  await sql`
    insert into stocks (stock_code, stock_name, market, industry, is_active, capital_stock) values
      ('2330', '台積電', 'TSE', '半導體業', true, 259303804580),
      ('1101', '台泥', 'TSE', '水泥工業', true, null),
      ('9904', '寶成', 'TSE', '其他業', false, null),
      ('00631L', '元大台灣50正2', 'TSE', '', null, null),
      ('6488', '環球晶', 'TPEx', '半導體業', true, null)`.execute(database.db);
}

for (const flavour of FLAVOURS) {
  describeBackends(`stocks kept in step with the listings, ${flavour} database`, (backend) => {
    let database: MarketDatabase;
    beforeAll(async () => {
      database = await openMarketDatabase(backend, flavour);
    });
    afterAll(async () => {
      await database?.close();
    });
    beforeEach(async () => {
      await emptyMarketTables(database.db);
      await seed(database);
    });

    it('reads every row: an empty industry as none, a NULL is_active as active', async () => {
      const repository = await createStocksRepository(database.db);
      expect(await repository.listings()).toEqual([
        { code: '00631L', name: '元大台灣50正2', market: 'TSE', industry: null, active: true },
        { code: '1101', name: '台泥', market: 'TSE', industry: '水泥工業', active: true },
        { code: '2330', name: '台積電', market: 'TSE', industry: '半導體業', active: true },
        { code: '6488', name: '環球晶', market: 'TPEx', industry: '半導體業', active: true },
        { code: '9904', name: '寶成', market: 'TSE', industry: '其他業', active: false },
      ]);
    });

    it('inserts new listings, updates changed ones, relists, and leaves equal rows untouched — in the backend’s table too', async () => {
      const shapes = await backendTableShapes(database.db);
      await sql`update stocks set updated_at = '2020-01-01T00:00:00Z'`.execute(database.db);
      const repository = await createStocksRepository(database.db);
      const result = await repository.applyListings([
        { code: '2330', name: '台積電', market: 'TSE', industry: '半導體業' }, // equal
        { code: '00631L', name: '元大台灣50正2', market: 'TSE', industry: null }, // '' and null are the same
        { code: '1101', name: '臺泥', market: 'TSE', industry: '水泥工業' }, // renamed
        { code: '6488', name: '環球晶', market: 'TSE', industry: '半導體業' }, // moved market
        { code: '9904', name: '寶成', market: 'TSE', industry: '其他業' }, // relisted
        { code: '00940', name: '元大台灣價值高息', market: 'TSE', industry: null }, // new
      ]);
      expect(result).toEqual({ inserted: ['00940'], updated: ['1101', '6488', '9904'] });
      expect(await stockRows(database.db)).toEqual([
        { stock_code: '00631L', stock_name: '元大台灣50正2', market: 'TSE', industry: '', is_active: null },
        { stock_code: '00940', stock_name: '元大台灣價值高息', market: 'TSE', industry: null, is_active: true },
        { stock_code: '1101', stock_name: '臺泥', market: 'TSE', industry: '水泥工業', is_active: true },
        { stock_code: '2330', stock_name: '台積電', market: 'TSE', industry: '半導體業', is_active: true },
        { stock_code: '6488', stock_name: '環球晶', market: 'TSE', industry: '半導體業', is_active: true },
        { stock_code: '9904', stock_name: '寶成', market: 'TSE', industry: '其他業', is_active: true },
      ]);
      const { rows } = await sql<{ stock_code: string; touched: boolean; capital_stock: number | null }>`
        select stock_code, updated_at > '2020-01-01T00:00:00Z' as touched, capital_stock from stocks order by stock_code collate "C"`.execute(database.db);
      expect(rows.filter((row) => row.touched).map((row) => row.stock_code)).toEqual(['00940', '1101', '6488', '9904']);
      // The backend's own columns are left to it.
      expect(rows.find((row) => row.stock_code === '2330')?.capital_stock).toBe(259303804580);
      expect(await backendTableShapes(database.db)).toEqual(shapes);
      expect(await repository.applyListings([])).toEqual({ inserted: [], updated: [] });
    });

    it('delists by deactivating, never deleting, and only what is active', async () => {
      const repository = await createStocksRepository(database.db);
      expect(await repository.deactivate(['2330', '00631L', '9904', '7777'])).toEqual(['00631L', '2330']);
      expect(await repository.deactivate([])).toEqual([]);
      const rows = await stockRows(database.db);
      expect(rows).toHaveLength(5);
      expect(rows.filter((row) => row.is_active === false).map((row) => row.stock_code)).toEqual(['00631L', '2330', '9904']);
      expect(await repository.activeSymbols()).toEqual(['1101', '6488']);
    });
  });
}
