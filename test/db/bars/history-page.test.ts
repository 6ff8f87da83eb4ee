import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DailyBarsRepository } from '../../../src/db/bars/daily-bars-repository.js';
import {
  HISTORY_SORT_KEYS,
  readHistoryPage,
  type HistoryPage,
  type HistoryPageQuery,
  type HistorySortKey,
} from '../../../src/db/bars/history-page.js';
import type { HistoryRow } from '../../../src/db/bars/history-query.js';
import { packBars } from '../../../src/db/bars/packed-bars.js';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { legacyPagination } from '../../../src/documents/legacy-history-page.js';
import { CrawlerError } from '../../../src/errors.js';
import { describeBackends } from '../../support/databases.js';
import { bar, openBarsDatabase, type BarsDatabase } from '../helpers.js';

/** `count` weekdays from `first` on, 'YYYY-MM-DD'. */
function weekdays(first: string, count: number): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${first}T00:00:00Z`); days.length < count; at += 86_400_000) {
    const day = new Date(at).getUTCDay();
    if (day !== 0 && day !== 6) days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

// 123 weekdays, 2024-01-01 … 2024-06-19: three pages of 50, the last one 23 rows.
const DAYS = weekdays('2024-01-01', 123);

// Every sort key repeats values (closes in 10 levels, highs and lows offset in cycles of
// 3 and 4, volumes in 17 levels), so ties must be broken for pages to be stable. Quarter
// steps are exact both in the crawler's numeric(12,4) and the backend's double precision.
const ALL: HistoryRow[] = DAYS.map((day, i) => {
  const close = 100 + (i % 10) * 0.25;
  return {
    stock_code: '2330',
    trade_date: day,
    open_price: close - 0.5,
    high_price: close + 1 + (i % 3),
    low_price: close - 1 - (i % 4) * 0.25,
    close_price: close,
    volume: 1000 + ((i * 7) % 17) * 5,
  };
});

/** ALL sorted as the page reader must: by the key, then by day, both in `order`. */
function sorted(rows: readonly HistoryRow[], key: HistorySortKey, order: 'asc' | 'desc'): HistoryRow[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const byKey = key === 'trade_date' ? 0 : (a[key] as number) - (b[key] as number);
    return sign * (byKey !== 0 ? byKey : a.trade_date.localeCompare(b.trade_date));
  });
}

const cases = [
  ['crawler', 'Asia/Taipei'],
  ['legacy', 'Asia/Taipei'],
  // A legacy trade_date read under New York's zone is the day before at 19:00: a bound or
  // a day computed without the zone spelled out would be off by one.
  ['legacy', 'America/New_York'],
] as const;

for (const [flavour, timeZone] of cases) {
  describeBackends(`readHistoryPage, ${flavour} table, session TimeZone ${timeZone}`, (backend) => {
    let opened: BarsDatabase | undefined;
    let handle: DatabaseHandle;
    let repository: DailyBarsRepository;

    const page = (query: Partial<HistoryPageQuery>): Promise<HistoryPage> =>
      readHistoryPage(handle.db, repository.tradeDateKind, { symbol: '2330', page: 1, limit: 50, sortBy: 'trade_date', order: 'desc', ...query });

    /** Every page of a query until the first empty one. */
    async function allPages(query: Partial<HistoryPageQuery>): Promise<HistoryPage[]> {
      const pages: HistoryPage[] = [];
      for (let number = 1; ; number += 1) {
        const read = await page({ ...query, page: number });
        if (read.rows.length === 0) return pages;
        pages.push(read);
      }
    }

    beforeAll(async () => {
      opened = await openBarsDatabase(backend, flavour, { timeZone });
      ({ handle, repository } = opened);
      expect(repository.flavour).toBe(flavour);
      const bars = ALL.map((row) =>
        bar(row.stock_code, row.trade_date, row.close_price as number, {
          open_price: row.open_price as number,
          high_price: row.high_price as number,
          low_price: row.low_price as number,
          volume: row.volume as number,
        }),
      );
      await repository.upsertPacked([
        packBars({ symbol: '2330', bars, source: 'mirror-a' }),
        // neighbours on both sides of the symbol in the index, never to be read or counted
        packBars({ symbol: '2317', bars: [bar('2317', '2024-01-03', 104.5)], source: 'mirror-b' }),
        packBars({ symbol: '2331', bars: [bar('2331', '2024-01-03', 20)], source: 'mirror-b' }),
      ]);
    });
    afterAll(async () => {
      await opened?.close();
    });

    it("reproduces the old paging arithmetic: 123 rows by 50 are 3 pages, the last of 23 rows", async () => {
      const pages = await allPages({});
      expect(pages.map((read) => read.rows.length)).toEqual([50, 50, 23]);
      expect(pages.every((read) => read.total_records === 123)).toBe(true);
      expect(pages.flatMap((read) => read.rows)).toEqual([...ALL].reverse());
      expect(legacyPagination(3, 50, pages[2]?.total_records ?? -1)).toEqual({
        page: 3,
        limit: 50,
        total_pages: 3,
        has_next: false,
        has_previous: true,
      });
      expect(legacyPagination(1, 50, 123)).toMatchObject({ total_pages: 3, has_next: true, has_previous: false });
      // past the end: no rows, the count still given (the old endpoint answered likewise)
      expect(await page({ page: 4 })).toEqual({ rows: [], total_records: 123 });
      expect(await page({ page: 1_000_000 })).toEqual({ rows: [], total_records: 123 });
    });

    it('returns days as YYYY-MM-DD and every value as a number', async () => {
      const { rows } = await page({ limit: 1, order: 'asc' });
      expect(rows).toEqual([ALL[0]]);
      for (const key of ['open_price', 'high_price', 'low_price', 'close_price', 'volume'] as const) expect(typeof rows[0]?.[key]).toBe('number');
      expect(await page({ limit: 1000 })).toEqual({ rows: [...ALL].reverse(), total_records: 123 });
    });

    for (const sortBy of HISTORY_SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        it(`sorts by ${sortBy} ${order}, ties by trade_date ${order}, stably across pages`, async () => {
          const pages = await allPages({ sortBy, order, limit: 50 });
          expect(pages.map((read) => read.rows.length)).toEqual([50, 50, 23]);
          expect(pages.flatMap((read) => read.rows)).toEqual(sorted(ALL, sortBy, order));
          // an odd page size crosses runs of equal values at other places
          const small = await allPages({ sortBy, order, limit: 7 });
          expect(small.flatMap((read) => read.rows)).toEqual(sorted(ALL, sortBy, order));
        });
      }
    }

    it('keeps to the range asked, both ends inclusive, and counts only the range', async () => {
      // 2024-02-01 … 2024-03-29 holds 42 weekdays: ALL[23] … ALL[64]
      const inRange = ALL.slice(23, 65);
      expect(inRange[0]?.trade_date).toBe('2024-02-01');
      expect(inRange.at(-1)?.trade_date).toBe('2024-03-29');
      const pages = await allPages({ from: '2024-02-01', to: '2024-03-29', limit: 20, order: 'asc' });
      expect(pages.map((read) => [read.rows.length, read.total_records])).toEqual([
        [20, 42],
        [20, 42],
        [2, 42],
      ]);
      expect(pages.flatMap((read) => read.rows)).toEqual(inRange);
      const byVolume = await allPages({ from: '2024-02-01', to: '2024-03-29', limit: 20, sortBy: 'volume', order: 'desc' });
      expect(byVolume.flatMap((read) => read.rows)).toEqual(sorted(inRange, 'volume', 'desc'));
      // one end open; bounds on a weekend
      expect(await page({ from: '2024-06-15', order: 'asc' })).toEqual({ rows: ALL.slice(120), total_records: 3 });
      expect(await page({ to: '2024-01-07', order: 'asc' })).toEqual({ rows: ALL.slice(0, 5), total_records: 5 });
      expect(await page({ from: '2024-01-10', to: '2024-01-10' })).toEqual({ rows: [ALL[7]], total_records: 1 });
      expect(await page({ from: '2024-01-06', to: '2024-01-07' })).toEqual({ rows: [], total_records: 0 });
    });

    it('gives an empty history as no rows and a count of 0', async () => {
      expect(await page({ symbol: '9999' })).toEqual({ rows: [], total_records: 0 });
      expect(await page({ symbol: '9999', page: 3, sortBy: 'volume', order: 'asc' })).toEqual({ rows: [], total_records: 0 });
      expect(await page({ symbol: '233' })).toEqual({ rows: [], total_records: 0 });
      expect(await page({ from: '2030-01-01' })).toEqual({ rows: [], total_records: 0 });
    });

    it('refuses a page, limit, sort key or order outside the old bounds before any SQL', async () => {
      const refused = async (query: Partial<HistoryPageQuery>): Promise<unknown> => page(query).catch((error: unknown) => error);
      for (const query of [
        { page: 0 },
        { page: 1.5 },
        { limit: 0 },
        { limit: 1001 },
        { limit: 2.5 },
        { sortBy: 'open_price' as HistorySortKey },
        { sortBy: 'close_price; drop table stocks' as HistorySortKey },
        { order: 'up' as 'asc' },
        { page: Number.MAX_SAFE_INTEGER, limit: 1000 },
      ]) {
        const error = await refused(query);
        expect(error, JSON.stringify(query)).toBeInstanceOf(CrawlerError);
        expect((error as CrawlerError).code).toBe('E_USAGE');
      }
      expect((await page({ limit: 1000, page: 1 })).rows).toHaveLength(123);
    });

    if (flavour === 'legacy') {
      it("reads the backend's own rows: NULL as null, sorted where PostgreSQL puts NULLs, one row per stored instant", async () => {
        await sql`
          insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
          values ('2454', '2024-01-02 00:00:00+00', 1000.5, 1010.0, 990.0, 1005.0, 5000, 'broker_crawler'),
                 ('2454', '2024-01-03 00:00:00+00', null, 1010.0, 990.0, null, null, 'broker_crawler'),
                 ('2454', '2024-01-03 12:00:00.5+00', 1001, 1011.0, 991.0, 1006.0, 5001, 'broker_crawler'),
                 ('2454', '2024-01-04 00:00:00+00', 1002, 1012.0, 992.0, 1005.0, 5002, 'broker_crawler')`.execute(handle.db);
        const days = (read: HistoryPage): Array<[string, number | null]> => read.rows.map((row) => [row.trade_date, row.close_price]);
        const byClose = (order: 'asc' | 'desc') => page({ symbol: '2454', sortBy: 'close_price', order });
        expect(days(await byClose('desc'))).toEqual([
          ['2024-01-03', null],
          ['2024-01-03', 1006],
          ['2024-01-04', 1005],
          ['2024-01-02', 1005],
        ]);
        expect(days(await byClose('asc'))).toEqual([
          ['2024-01-02', 1005],
          ['2024-01-04', 1005],
          ['2024-01-03', 1006],
          ['2024-01-03', null],
        ]);
        const nullRow = (await page({ symbol: '2454', from: '2024-01-03', to: '2024-01-03', order: 'asc', limit: 1 })).rows[0];
        expect(nullRow).toEqual({
          stock_code: '2454',
          trade_date: '2024-01-03',
          open_price: null,
          high_price: 1010,
          low_price: 990,
          close_price: null,
          volume: null,
        });
        const pages = await allPages({ symbol: '2454', limit: 1, order: 'asc' });
        expect(pages.map(days)).toEqual([[['2024-01-02', 1005]], [['2024-01-03', null]], [['2024-01-03', 1006]], [['2024-01-04', 1005]]]);
        expect(pages.every((read) => read.total_records === 4)).toBe(true);
      });
    }
  });
}
