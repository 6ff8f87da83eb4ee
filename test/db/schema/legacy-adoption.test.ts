import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { tableColumns, tableExists, tableIndexes } from '../../../src/db/schema/catalog.js';
import { createDailyBarsRepository } from '../../../src/db/bars/daily-bars-repository.js';
import { checkSchema, MIGRATIONS, migrateToLatest } from '../../../src/db/schema/migrate.js';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { DuplicateRowsError } from '../../../src/errors.js';
import { bar } from '../../support/bars.js';
import { describeBackends, useEmptyDatabase } from '../../support/databases.js';
import { saveBars } from '../../support/save-bars.js';
import { createLegacySchema, storedRows } from '../helpers.js';

/**
 * Rows as the Python backend writes them (old-service.md): midnight UTC, floats, its
 * data_source, data_quality and is_validated, computed ma5.
 */
async function insertBackendRows(handle: DatabaseHandle): Promise<void> {
  await sql`
    insert into stock_daily_data
      (stock_code, trade_date, open_price, high_price, low_price, close_price, volume,
       data_source, data_quality, is_validated, ma5, price_change)
    values
      ('2330', '2024-01-02 00:00:00+00', 590.0, 593.0, 589.0, 593.0, 27997, 'broker_crawler', 'corrected_daily', true, 588.2, 3.0),
      ('2330', '2024-01-03 00:00:00+00', 584.0, 585.0, 576.0, 578.0, 39823, 'broker_crawler', 'corrected_daily', true, 586.4, -15.0),
      ('0050', '2024-01-02 00:00:00+00', 12.35, 12.4, 12.3, 12.35, 100, 'broker_crawler', 'corrected_daily', true, 12.31, 0.05)`.execute(handle.db);
}

describeBackends('adopting the backend database', (backend) => {
  // Each test opens its database with the session TimeZone it needs.
  const fresh = useEmptyDatabase(backend, { scope: 'test', open: false });

  for (const timeZone of ['Asia/Taipei', 'America/New_York']) {
    it(`updates the backend's own rows, never twins them (session TimeZone ${timeZone})`, async () => {
      const handle = await fresh.open({ timeZone });
      const { rows: zone } = await sql<{ tz: string }>`select current_setting('TimeZone') as tz`.execute(handle.db);
      expect(zone).toEqual([{ tz: timeZone }]);
      await createLegacySchema(handle.db);
      await insertBackendRows(handle);
      const before = await storedRows(handle.db);
      const columnsBefore = await tableColumns(handle.db, 'stock_daily_data');

      await migrateToLatest(handle.db);
      expect(await tableColumns(handle.db, 'stock_daily_data')).toEqual(columnsBefore);
      expect(await checkSchema(handle.db)).toMatchObject({ current: true, flavour: 'legacy' });

      const repository = await createDailyBarsRepository(handle.db);
      expect(repository.flavour).toBe('legacy');
      const bars = [
        // identical to the backend's row (floats compared as floats)
        bar('2330', '2024-01-02', 593, { open_price: 590, high_price: 593, low_price: 589, volume: 27997 }),
        // close changed
        bar('2330', '2024-01-03', 580, { open_price: 584, high_price: 585, low_price: 576, volume: 39823 }),
        // new day
        bar('2330', '2024-01-04', 580.5, { open_price: 578, high_price: 581, low_price: 577, volume: 30000 }),
        bar('0050', '2024-01-02', 12.35, { open_price: 12.35, high_price: 12.4, low_price: 12.3, volume: 100 }),
      ];
      expect(await saveBars(repository, bars, 'mirror-a')).toEqual({ created: 1, updated: 1, unchanged: 2 });

      const after = await storedRows(handle.db);
      expect(after).toHaveLength(before.length + 1);
      const byKey = (rows: typeof after, code: string, stored: string) =>
        rows.find((row) => row.stock_code === code && row.stored === stored);
      // same ids, no twins
      for (const row of before) expect(byKey(after, row.stock_code as string, row.stored as string)?.id).toBe(row.id);
      expect(byKey(after, '2330', '2024-01-02T00:00:00Z')).toEqual(byKey(before, '2330', '2024-01-02T00:00:00Z'));
      expect(byKey(after, '2330', '2024-01-03T00:00:00Z')).toMatchObject({
        close_price: 580,
        data_source: 'broker_crawler', // the backend's words, not the mirror's name
        ma5: 586.4, // backend-computed: untouched
        price_change: -15,
      });
      // the new day is stored the backend's way: midnight UTC, in its writer's words
      expect(byKey(after, '2330', '2024-01-04T00:00:00Z')).toMatchObject({
        close_price: 580.5,
        data_source: 'broker_crawler',
        data_quality: 'corrected_daily',
        ma5: null,
      });
      const { rows: unvalidated } = await sql<{ n: number }>`
        select count(*)::int as n from stock_daily_data where is_validated is not true`.execute(handle.db);
      expect(unvalidated).toEqual([{ n: 0 }]);

      expect(await saveBars(repository, bars, 'mirror-b')).toEqual({ created: 0, updated: 0, unchanged: 4 });
      expect(await repository.latestTradeDate('2330')).toBe('2024-01-04');
      expect(await repository.latestTradeDates()).toEqual(
        new Map([
          ['0050', '2024-01-02'],
          ['2330', '2024-01-04'],
        ]),
      );
    });
  }

  it('reports duplicates instead of adding the key, deletes nothing, and leaves the schema as it was', async () => {
    const handle = await fresh.open();
    await createLegacySchema(handle.db);
    // Without stocks, the migration's first step (creating it) must be rolled back too.
    await sql`drop table stocks`.execute(handle.db);
    await insertBackendRows(handle);
    await sql`
      insert into stock_daily_data (stock_code, trade_date, close_price, data_source)
      values ('2330', '2024-01-02 00:00:00+00', 593.0, 'twse')`.execute(handle.db);
    const indexesBefore = await tableIndexes(handle.db, 'stock_daily_data');

    const error = await migrateToLatest(handle.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateRowsError);
    expect(error).toMatchObject({
      code: 'E_DB_DUPLICATES',
      duplicates: [{ stock_code: '2330', trade_date: '2024-01-02T00:00:00Z', count: 2 }],
    });

    expect(await storedRows(handle.db)).toHaveLength(4);
    expect(await tableIndexes(handle.db, 'stock_daily_data')).toEqual(indexesBefore);
    expect(await tableExists(handle.db, 'stocks')).toBe(false);
    expect(await checkSchema(handle.db)).toMatchObject({ current: false, applied: [] });
    await expect(createDailyBarsRepository(handle.db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA' });
  });

  it('keeps an existing unique key and adds no second one', async () => {
    const handle = await fresh.open();
    await createLegacySchema(handle.db);
    await sql`alter table stock_daily_data add unique (stock_code, trade_date)`.execute(handle.db);
    await insertBackendRows(handle);
    const indexesBefore = await tableIndexes(handle.db, 'stock_daily_data');

    expect((await migrateToLatest(handle.db)).applied).toEqual(Object.keys(MIGRATIONS));
    expect(await tableIndexes(handle.db, 'stock_daily_data')).toEqual(indexesBefore);
    const repository = await createDailyBarsRepository(handle.db);
    expect(await saveBars(repository, [bar('2330', '2024-01-03', 578)], 'mirror-a')).toMatchObject({ updated: 1 });
  });

  it('adopts a timestamp-without-time-zone trade_date the same way', async () => {
    const handle = await fresh.open({ timeZone: 'Asia/Taipei' });
    await createLegacySchema(handle.db);
    await sql`alter table stock_daily_data alter column trade_date type timestamp`.execute(handle.db);
    await sql`
      insert into stock_daily_data (stock_code, trade_date, close_price, data_source)
      values ('2330', '2024-01-02 00:00:00', 593.0, 'twse')`.execute(handle.db);
    await migrateToLatest(handle.db);

    const repository = await createDailyBarsRepository(handle.db);
    expect(repository.tradeDateKind).toBe('timestamp');
    expect(
      await saveBars(repository, [bar('2330', '2024-01-02', 593), bar('2330', '2024-01-03', 590)], 'mirror-a'),
    ).toEqual({ created: 1, updated: 1, unchanged: 0 });
    expect((await storedRows(handle.db)).map((row) => row.stored)).toEqual(['2024-01-02T00:00:00', '2024-01-03T00:00:00']);
  });
});
