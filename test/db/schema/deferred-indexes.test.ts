import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/connection/open-database.js';
import { tableIndexes } from '../../../src/db/schema/catalog.js';
import { migrateToLatest } from '../../../src/db/schema/migrate.js';
import { dropDeferredIndexes, PRIMARY_KEY, restoreDeferredIndexes, storedRowsEstimate, TRADE_DATE_INDEX } from '../../../src/db/schema/deferred-indexes.js';
import { createPgliteDir, describeBackends, useEmptyDatabase } from '../../support/databases.js';

async function indexNames(db: Parameters<typeof tableIndexes>[0]): Promise<string[]> {
  return (await tableIndexes(db, 'stock_daily_data')).map((index) => index.name);
}

describeBackends('the indexes a bulk load defers', (backend) => {
  const store = useEmptyDatabase(backend, { scope: 'test' });

  it('are dropped as asked, then built again once, and leave the unique key alone', async () => {
    await migrateToLatest(store.db);
    const before = await indexNames(store.db);
    expect(before).toEqual(expect.arrayContaining([TRADE_DATE_INDEX, PRIMARY_KEY, 'stock_daily_data_stock_code_trade_date_key']));

    await dropDeferredIndexes(store.db, ['trade_date']);
    expect(await indexNames(store.db)).toEqual(before.filter((name) => name !== TRADE_DATE_INDEX));
    await dropDeferredIndexes(store.db, ['trade_date', 'primary_key']);
    expect(await indexNames(store.db)).toEqual(before.filter((name) => name !== TRADE_DATE_INDEX && name !== PRIMARY_KEY));

    // Rows written meanwhile draw their ids as ever, and the key built over them is the one on id.
    await sql`insert into stock_daily_data (stock_code, trade_date, data_source) values ('2330', date '2024-01-02', 'm0'), ('2330', date '2024-01-03', 'm0')`.execute(store.db);
    expect(await restoreDeferredIndexes(store.db)).toEqual(['primary_key', 'trade_date']);
    expect(await indexNames(store.db)).toEqual(before);
    const { rows } = await sql<{ definition: string }>`
      select pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = 'stock_daily_data'::regclass and contype = 'p'`.execute(store.db);
    expect(rows).toEqual([{ definition: 'PRIMARY KEY (id)' }]);
    // Built already: nothing to do.
    expect(await restoreDeferredIndexes(store.db)).toEqual([]);
  });

  it('leaves a primary key that is not on id alone', async () => {
    await migrateToLatest(store.db);
    await sql`alter table stock_daily_data drop constraint ${sql.id(PRIMARY_KEY)}, add constraint other_pkey primary key (id, stock_code)`.execute(store.db);
    await dropDeferredIndexes(store.db, ['primary_key']);
    expect(await indexNames(store.db)).toContain('other_pkey');
    expect(await restoreDeferredIndexes(store.db)).toEqual([]);
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
  it('builds the indexes a killed bulk load left dropped', async () => {
    const { dir, remove } = await createPgliteDir({ initialized: true });
    try {
      let handle = await openDatabase({ dataDir: dir });
      const before = await indexNames(handle.db);
      await dropDeferredIndexes(handle.db, ['trade_date', 'primary_key']);
      await handle.close();
      handle = await openDatabase({ dataDir: dir });
      try {
        expect(await indexNames(handle.db)).toEqual(before);
      } finally {
        await handle.close();
      }
    } finally {
      await remove();
    }
  });
});
