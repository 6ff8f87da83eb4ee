import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { readHistoryPages, type HistoryQuery, type HistoryRow } from '../../../src/db/bars/history-query.js';
import { bar, barSeries, weekdays } from '../../support/bars.js';
import { describeBackends } from '../../support/databases.js';
import { saveBars } from '../../support/save-bars.js';
import { useMigratedDatabase } from '../helpers.js';

// 23 weekdays: 2024-01-02 … 2024-02-01.
const DAYS = weekdays('2024-01-02', 23);

function expectedRow(day: string, i: number): HistoryRow {
  const close = 590 + i + 0.25;
  return { stock_code: '2330', trade_date: day, open_price: close - 1, high_price: close + 2, low_price: close - 2, close_price: close, volume: 20_000 + i };
}

const ALL = DAYS.map(expectedRow);

// As in recent-bars.test.ts: a legacy trade_date read under New York's zone is the day
// before at 19:00, so a careless ::date would move every bound by one day.
const cases = [
  ['crawler', 'Asia/Taipei'],
  ['legacy', 'Asia/Taipei'],
  ['legacy', 'America/New_York'],
] as const;

for (const [flavour, timeZone] of cases) {
  describeBackends(`readHistoryPages, ${flavour} table, session TimeZone ${timeZone}`, (backend) => {
    const database = useMigratedDatabase(backend, flavour, { timeZone });

    /** Every page of a query, as read. */
    async function pages(query: Omit<HistoryQuery, 'symbol' | 'order'> & Partial<Pick<HistoryQuery, 'symbol' | 'order'>>): Promise<HistoryRow[][]> {
      const result: HistoryRow[][] = [];
      for await (const page of readHistoryPages(database.db, database.repository.tradeDateKind, { symbol: '2330', order: 'asc', ...query })) {
        result.push(page);
      }
      return result;
    }
    const rows = async (query: Parameters<typeof pages>[0]): Promise<HistoryRow[]> => (await pages(query)).flat();

    beforeAll(async () => {
      expect(database.repository.flavour).toBe(flavour);
      await saveBars(
        database.repository,
        [
          ...barSeries('2330', DAYS, 590.25, (i) => ({ volume: 20_000 + i })),
          // neighbours on both sides of the symbol in the index, never to be read
          bar('2317', '2024-01-03', 104.5),
          bar('2331', '2024-01-03', 20),
        ],
        'mirror-a',
      );
    });

    it('reads every bar of the symbol in date order, days as YYYY-MM-DD and values as numbers', async () => {
      expect(await rows({})).toEqual(ALL);
      expect(await rows({ order: 'desc' })).toEqual([...ALL].reverse());
      const [first] = await rows({ limit: 1 });
      expect(typeof first?.close_price).toBe('number');
      expect(typeof first?.volume).toBe('number');
    });

    it('keeps to the range asked, both ends inclusive', async () => {
      expect(await rows({ from: '2024-01-10', to: '2024-01-12' })).toEqual(ALL.slice(6, 9));
      expect(await rows({ from: '2024-01-10', to: '2024-01-10' })).toEqual([ALL[6]]);
      expect(await rows({ from: '2024-01-30' })).toEqual(ALL.slice(20));
      expect(await rows({ to: '2024-01-03' })).toEqual(ALL.slice(0, 2));
      // bounds on a weekend: the days inside
      expect(await rows({ from: '2024-01-06', to: '2024-01-14', order: 'desc' })).toEqual(ALL.slice(4, 9).reverse());
      expect(await rows({ from: '2023-01-01', to: '2023-12-31' })).toEqual([]);
      expect(await rows({ from: '2024-02-02' })).toEqual([]);
    });

    it('stops at the limit: the first rows ascending, the last ones descending', async () => {
      expect(await rows({ limit: 3 })).toEqual(ALL.slice(0, 3));
      expect(await rows({ limit: 3, order: 'desc' })).toEqual(ALL.slice(-3).reverse());
      expect(await rows({ limit: 100 })).toEqual(ALL);
      expect(await rows({ from: '2024-01-15', limit: 2, order: 'desc' })).toEqual(ALL.slice(-2).reverse());
    });

    it('pages across boundaries without skipping or repeating a row, in both orders', async () => {
      const ascending = await pages({ pageSize: 4 });
      expect(ascending.map((page) => page.length)).toEqual([4, 4, 4, 4, 4, 3]);
      expect(ascending.flat()).toEqual(ALL);
      const descending = await pages({ pageSize: 4, order: 'desc' });
      expect(descending.map((page) => page.length)).toEqual([4, 4, 4, 4, 4, 3]);
      expect(descending.flat()).toEqual([...ALL].reverse());
      // a range filling its pages exactly: no empty page at the end
      const exact = await pages({ pageSize: 5, from: '2024-01-02', to: '2024-01-29' });
      expect(exact.map((page) => page.length)).toEqual([5, 5, 5, 5]);
      expect(exact.flat()).toEqual(ALL.slice(0, 20));
      // a limit ending inside a page, with a range
      const limited = await pages({ pageSize: 4, limit: 10, from: '2024-01-03', order: 'desc' });
      expect(limited.map((page) => page.length)).toEqual([4, 4, 2]);
      expect(limited.flat()).toEqual(ALL.slice(-10).reverse());
    });

    it('yields nothing for a symbol without rows', async () => {
      expect(await pages({ symbol: '9999' })).toEqual([]);
      expect(await pages({ symbol: '233' })).toEqual([]);
    });

    if (flavour === 'legacy') {
      it("reads the backend's own rows, a NULL value as null", async () => {
        await sql`
          insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
          values ('2454', '2024-01-02 00:00:00+00', 1000.5, 1010.0, 990.0, 1005.0, 5000, 'twse'),
                 ('2454', '2024-01-03 00:00:00+00', null, 1010.0, 990.0, 1005.0, null, 'twse'),
                 ('2454', '2024-01-04 00:00:00+00', 1001, 1011.0, 991.0, 1006.0, 5001, 'twse')`.execute(database.db);
        const read = await pages({ symbol: '2454', pageSize: 1, from: '2024-01-03' });
        expect(read).toEqual([
          [{ stock_code: '2454', trade_date: '2024-01-03', open_price: null, high_price: 1010, low_price: 990, close_price: 1005, volume: null }],
          [{ stock_code: '2454', trade_date: '2024-01-04', open_price: 1001, high_price: 1011, low_price: 991, close_price: 1006, volume: 5001 }],
        ]);
      });

      it('pages by the stored instant: a backend row off midnight is read once, in stored order', async () => {
        await sql`
          insert into stock_daily_data (stock_code, trade_date, close_price, data_source)
          values ('2455', '2024-01-02 12:00:00.5+00', 2, 'twse'), ('2455', '2024-01-02 00:00:00+00', 1, 'twse'),
                 ('2455', '2024-01-03 00:00:00+00', 3, 'twse')`.execute(database.db);
        const closes = async (order: 'asc' | 'desc') =>
          (await pages({ symbol: '2455', pageSize: 1, order })).map((page) => page.map((row) => [row.trade_date, row.close_price]));
        expect(await closes('asc')).toEqual([[['2024-01-02', 1]], [['2024-01-02', 2]], [['2024-01-03', 3]]]);
        expect(await closes('desc')).toEqual([[['2024-01-03', 3]], [['2024-01-02', 2]], [['2024-01-02', 1]]]);
      });
    }
  });
}
