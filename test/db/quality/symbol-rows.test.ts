import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createSymbolRowsReader } from '../../../src/db/quality/symbol-rows.js';
import { barSeries, weekdays } from '../../support/bars.js';
import { describeBackends } from '../../support/databases.js';
import { useMigratedDatabase } from '../helpers.js';
import { saveSymbols } from '../../support/save-bars.js';

const DAYS = weekdays('2026-11-02', 6);

describeBackends('symbol rows', (backend) => {
  for (const flavour of ['crawler', 'legacy'] as const) {
    describe(`${flavour} table, session in Asia/Taipei`, () => {
      const suite = useMigratedDatabase(backend, flavour, { timeZone: 'Asia/Taipei', emptyBarsBeforeEach: true });

      it('reads one symbol\'s rows by day, both range ends included, values as numbers', async () => {
        await saveSymbols(suite.repository, [
          { symbol: '2330', bars: barSeries('2330', DAYS, 580.5), source: 'm0' },
          { symbol: '2317', bars: barSeries('2317', DAYS, 100), source: 'm0' },
        ]);
        const reader = createSymbolRowsReader(suite.db, suite.repository.tradeDateKind);
        expect(await reader.rows('2330', { from: DAYS[1], to: DAYS[2] })).toEqual([
          { trade_date: DAYS[1], open_price: 580.5, high_price: 583.5, low_price: 579.5, close_price: 581.5, volume: 1000 },
          { trade_date: DAYS[2], open_price: 581.5, high_price: 584.5, low_price: 580.5, close_price: 582.5, volume: 1000 },
        ]);
        expect((await reader.rows('2330', {})).map((row) => row.trade_date)).toEqual(DAYS);
        expect((await reader.rows('2330', { from: DAYS[4] })).map((row) => row.trade_date)).toEqual(DAYS.slice(4));
        expect((await reader.rows('2330', { to: DAYS[0] })).map((row) => row.trade_date)).toEqual(DAYS.slice(0, 1));
        expect(await reader.rows('9999', {})).toEqual([]);
      });

      it('gives a NULL the backend left as null', async () => {
        await saveSymbols(suite.repository, [{ symbol: '2330', bars: barSeries('2330', DAYS.slice(0, 1), 10), source: 'm0' }]);
        await sql`update stock_daily_data set volume = null`.execute(suite.db);
        const [row] = await createSymbolRowsReader(suite.db, suite.repository.tradeDateKind).rows('2330', {});
        expect(row!.volume).toBeNull();
      });
    });
  }
});
