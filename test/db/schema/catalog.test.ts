import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeTables, hasUniqueKeyOn, tableColumns, tableExists, tableIndexes } from '../../../src/db/schema/catalog.js';
import { migrateToLatest } from '../../../src/db/schema/migrate.js';
import { isCreatedByCrawler, isCrawlerComment } from '../../../src/db/schema/table-owner.js';
import { describeBackends, useEmptyDatabase } from '../../support/databases.js';

describeBackends('describeTables', (backend) => {
  const fresh = useEmptyDatabase(backend, { scope: 'test' });

  it('describes several tables in one statement as each is described alone, the missing ones included', async () => {
    await migrateToLatest(fresh.db);
    await sql`create table "odd ""name""" (b int, a text unique, c int, primary key (c, b))`.execute(fresh.db);
    await sql`create index partial_ix on "odd ""name""" (a) where a is not null`.execute(fresh.db);
    await sql`comment on table "odd ""name""" is 'the backend''s'`.execute(fresh.db);
    const names = ['stock_daily_data', 'stocks', '"odd ""name"""', 'no_such_table'];
    const described = await describeTables(fresh.db, names);
    expect([...described.keys()]).toEqual(names);
    for (const name of names) {
      const table = described.get(name)!;
      expect(table.exists, name).toBe(await tableExists(fresh.db, name));
      expect(table.columns, name).toEqual(await tableColumns(fresh.db, name));
      expect(table.indexes, name).toEqual(await tableIndexes(fresh.db, name));
      expect(isCrawlerComment(table.comment), name).toBe(await isCreatedByCrawler(fresh.db, name));
    }
    const bars = described.get('stock_daily_data')!;
    expect(bars).toMatchObject({ exists: true, comment: expect.stringMatching(/^stock-crawler:/) });
    expect(bars.columns.get('trade_date')).toBe('date');
    expect(bars.columns.get('open_price')).toBe('numeric(12,4)');
    expect(hasUniqueKeyOn(bars.indexes, ['stock_code', 'trade_date'])).toBe(true);
    expect(described.get('"odd ""name"""')).toMatchObject({
      exists: true,
      comment: "the backend's",
      indexes: [
        { name: 'odd "name"_a_key', unique: true, columns: ['a'] },
        { name: 'odd "name"_pkey', unique: true, columns: ['c', 'b'] },
      ],
    });
    expect([...described.get('"odd ""name"""')!.columns.keys()]).toEqual(['b', 'a', 'c']);
    expect(described.get('no_such_table')).toEqual({ exists: false, columns: new Map(), indexes: [], comment: null });
  });
});
