import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInstrumentsRepository } from '../../../src/db/market/instruments-repository.js';
import { readReferenceState } from '../../../src/db/market/reference-state.js';
import { createHolidaysRepository } from '../../../src/db/market/holidays-repository.js';
import { createSyncStateRepository } from '../../../src/db/market/sync-state-repository.js';
import { listUniverse } from '../../../src/db/market/universe-query.js';
import { createStocksRepository } from '../../../src/db/stocks/stocks-repository.js';
import { describeBackends } from '../../support/databases.js';
import { emptyMarketTables, FLAVOURS, openMarketDatabase, type MarketDatabase } from './helpers.js';

const SEEN = new Date('2026-01-05T10:00:00Z');

for (const flavour of FLAVOURS) {
  describeBackends(`the universe as \`symbols\` lists it, ${flavour} database`, (backend) => {
    let database: MarketDatabase;
    beforeAll(async () => {
      database = await openMarketDatabase(backend, flavour);
      await emptyMarketTables(database.db);
      const instruments = [
        { code: '2330', name: '台積電', market: 'TSE', type: 'stock', isin: 'TW0002330008', cfi: 'ESVUFR', industry: '半導體業', listedDate: '1994-09-05' },
        { code: '0050', name: '元大台灣50', market: 'TSE', type: 'etf', isin: 'TW0000050004', cfi: 'CEOGEU', industry: null, listedDate: '2003-06-30' },
        { code: '6488', name: '環球晶', market: 'TPEx', type: 'stock', isin: null, cfi: 'ESVUFR', industry: '半導體業', listedDate: null },
        { code: '9904', name: '寶成', market: 'TSE', type: 'stock', isin: null, cfi: 'ESVUFR', industry: '其他業', listedDate: null },
      ];
      await createInstrumentsRepository(database.db).upsert(instruments, SEEN);
      await createInstrumentsRepository(database.db).markDelisted(['9904'], '2026-01-06');
      const stocks = await createStocksRepository(database.db);
      await stocks.applyListings(instruments);
      await stocks.deactivate(['9904']);
      // A code given by hand that no sync has seen.
      await stocks.applyListings([{ code: '1234', name: '1234', market: 'UNKNOWN', industry: null }]);
    });
    afterAll(async () => {
      await database?.close();
    });

    it('lists the active symbols in byte order, with what the sync knows of them', async () => {
      const rows = await listUniverse(database.db);
      expect(rows.map((row) => row.stock_code)).toEqual(['0050', '1234', '2330', '6488']);
      expect(rows[2]).toEqual({
        stock_code: '2330',
        stock_name: '台積電',
        market: 'TSE',
        type: 'stock',
        industry: '半導體業',
        isin: 'TW0002330008',
        cfi: 'ESVUFR',
        listed_date: '1994-09-05',
        is_active: true,
        delisted_date: null,
        first_seen: SEEN,
        last_seen: SEEN,
      });
      expect(rows[1]).toMatchObject({ stock_code: '1234', type: null, first_seen: null });
    });

    it('filters by market and type, and lists delisted ones with --all', async () => {
      expect((await listUniverse(database.db, { markets: ['TSE'] })).map((row) => row.stock_code)).toEqual(['0050', '2330']);
      expect((await listUniverse(database.db, { types: ['stock'] })).map((row) => row.stock_code)).toEqual(['2330', '6488']);
      expect((await listUniverse(database.db, { markets: ['TPEx'], types: ['etf'] })).map((row) => row.stock_code)).toEqual([]);
      const all = await listUniverse(database.db, { all: true, markets: ['TSE'], types: [] });
      expect(all.map((row) => `${row.stock_code}:${row.is_active}`)).toEqual(['0050:true', '2330:true', '9904:false']);
      expect(all[2]?.delisted_date).toBe('2026-01-06');
    });

    it('reads the reference state: active rows per market, holidays, sync states', async () => {
      await createHolidaysRepository(database.db).replaceYears([2026], [{ day: '2026-01-01', name: 'a', description: null }, { day: '2026-02-27', name: 'b', description: null }], SEEN);
      await createSyncStateRepository(database.db).recordSuccess('TSE', { url: 'http://a/2', rowCount: 4, keptCount: 3 }, SEEN);
      const state = await readReferenceState(database.db);
      expect(state.activeByMarket).toEqual({ TPEx: 1, TSE: 2, UNKNOWN: 1 });
      expect(state.activeSymbols).toBe(4);
      expect(state.holidays).toEqual({ count: 2, first: '2026-01-01', last: '2026-02-27' });
      expect(state.sources.map((source) => source.source)).toEqual(['TSE']);
    });
  });
}
