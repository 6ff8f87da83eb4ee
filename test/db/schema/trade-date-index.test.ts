import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/connection/open-database.js';
import { tableIndexes } from '../../../src/db/schema/catalog.js';
import { migrateToLatest } from '../../../src/db/schema/migrate.js';
import { dropTradeDateIndex, restoreTradeDateIndex, storedRowsEstimate, TRADE_DATE_INDEX } from '../../../src/db/schema/trade-date-index.js';
import { createPgliteDir, describeBackends, useEmptyDatabase } from '../../support/databases.js';

async function indexNames(db: Parameters<typeof tableIndexes>[0]): Promise<string[]> {
  return (await tableIndexes(db, 'stock_daily_data')).map((index) => index.name);
}

describeBackends('the trade_date index of a bulk load', (backend) => {
  const store = useEmptyDatabase(backend, { scope: 'test' });

  it('is dropped, then built again once, and leaves the other indexes alone', async () => {
    await migrateToLatest(store.db);
    const before = await indexNames(store.db);
    expect(before).toContain(TRADE_DATE_INDEX);

    await dropTradeDateIndex(store.db);
    expect(await indexNames(store.db)).toEqual(before.filter((name) => name !== TRADE_DATE_INDEX));
    expect(await restoreTradeDateIndex(store.db)).toBe(true);
    expect(await indexNames(store.db)).toEqual(before);
    // Built already: nothing to do.
    expect(await restoreTradeDateIndex(store.db)).toBe(false);
  });

  it('estimates the stored rows from the table size, without a scan', async () => {
    await migrateToLatest(store.db);
    expect(await storedRowsEstimate(store.db)).toBe(0);
    await sql`insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
      select '2330', date '2000-01-03' + n, 10, 11, 9, 10.5, 1000, 'm0' from generate_series(0, 9999) as n`.execute(store.db);
    const estimate = await storedRowsEstimate(store.db);
    // Within a third of the truth: enough to compare with a run's new rows.
    expect(estimate).toBeGreaterThan(10_000 * 0.67);
    expect(estimate).toBeLessThan(10_000 * 1.33);
  });
});

describe('opening an embedded data directory', () => {
  it('builds the trade_date index a killed bulk load left dropped', async () => {
    const { dir, remove } = await createPgliteDir({ initialized: true });
    try {
      let handle = await openDatabase({ dataDir: dir });
      await dropTradeDateIndex(handle.db);
      await handle.close();
      handle = await openDatabase({ dataDir: dir });
      try {
        expect(await indexNames(handle.db)).toContain(TRADE_DATE_INDEX);
      } finally {
        await handle.close();
      }
    } finally {
      await remove();
    }
  });
});
