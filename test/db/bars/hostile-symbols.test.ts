import { sql, type Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { readHistoryPages } from '../../../src/db/bars/history-query.js';
import { createStocksRepository } from '../../../src/db/stocks/stocks-repository.js';
import { bar } from '../../support/bars.js';
import { describeBackends } from '../../support/databases.js';
import { saveBars } from '../../support/save-bars.js';
import { useMigratedDatabase } from '../helpers.js';

/*
 * The CLI refuses these before any query (test/cli/injection.e2e.test.ts); here the
 * repository is handed them anyway, to show that every statement binds its values: a
 * hostile string matches nothing, changes nothing and breaks nothing.
 */
const HOSTILE = [
  "2330' OR '1'='1",
  "2330'; drop table stock_daily_data; --",
  '2330","2317',
  '{2330,2317}',
  '2330}',
  '2330\\',
  '"',
  'NULL',
  '../',
  '%0d%0a',
  '2330\r\nX-Evil: 1',
  '%',
  '_',
  '$1',
  ' 2330',
  '２３３０',
  'x'.repeat(10_000),
];

/** A fingerprint of every row of the tables a query could touch. */
async function fingerprint(db: Kysely<any>): Promise<unknown> {
  const { rows } = await sql<{ bars: string; bar_count: number; stocks: string }>`
    select (select md5(coalesce(string_agg(b::text, '|' order by b::text), '')) from stock_daily_data as b) as bars,
           (select count(*)::int from stock_daily_data) as bar_count,
           (select md5(coalesce(string_agg(s::text, '|' order by s::text), '')) from stocks as s) as stocks`.execute(db);
  return rows[0];
}

for (const flavour of ['crawler', 'legacy'] as const) {
  describeBackends(`queries bind hostile symbols, ${flavour} table`, (backend) => {
    const opened = useMigratedDatabase(backend, flavour);
    let before: unknown;

    beforeAll(async () => {
      await saveBars(
        opened.repository,
        [bar('2330', '2024-01-02', 590), bar('2330', '2024-01-03', 593), bar('2317', '2024-01-03', 104.5)],
        'seed',
      );
      before = await fingerprint(opened.db);
    });

    it.each(HOSTILE.map((symbol) => [JSON.stringify(symbol).slice(0, 40), symbol]))(
      'latest dates, recent bars and history find nothing for %s',
      async (_shown, symbol) => {
        const { repository, db } = opened;
        expect(await repository.latestTradeDate(symbol)).toBeNull();
        expect(await repository.latestTradeDates([symbol])).toEqual(new Map());
        // Next to a real symbol, only the real one answers: the list is not split or widened.
        expect(await repository.latestTradeDates([symbol, '2330'])).toEqual(new Map([['2330', '2024-01-03']]));
        expect(await repository.recentBars([symbol], 5)).toEqual(new Map());
        const recent = await repository.recentBars(['2317', symbol], 5);
        expect([...recent.keys()]).toEqual(['2317']);
        const pages = [];
        for await (const page of readHistoryPages(db, repository.tradeDateKind, { symbol, order: 'asc' })) pages.push(page);
        expect(pages).toEqual([]);
        expect(await fingerprint(db)).toEqual(before);
      },
    );

    // Codes that fit stocks.stock_code (varchar(20)).
    const short = HOSTILE.filter((symbol) => symbol.length <= 20);

    if (flavour === 'crawler') {
      it('stores a hostile code offered to stocks as the literal text it is, and nothing else', async () => {
        const stocks = await createStocksRepository(opened.db);
        expect(stocks.owned).toBe(true);
        const { added } = await stocks.ensureSymbols(short);
        expect(added).toEqual([...new Set(short)].sort());
        const active = await stocks.activeSymbols();
        for (const symbol of short) expect(active).toContain(symbol);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from stock_daily_data`.execute(opened.db);
        expect(rows[0]!.n).toBe(3);
      });
    } else {
      it("adds no hostile code to the backend's stocks table, and changes nothing else", async () => {
        const stocks = await createStocksRepository(opened.db);
        expect(stocks.owned).toBe(false);
        expect(await stocks.ensureSymbols(short)).toEqual({ added: [] });
        expect(await stocks.activeSymbols()).toEqual([]);
        expect(await fingerprint(opened.db)).toEqual(before);
      });

      it("reads a hostile code the backend stored in its stocks table back as the literal text it is", async () => {
        for (const symbol of short) {
          await sql`insert into stocks (stock_code, stock_name, market) values (${symbol}, ${symbol}, 'TSE')`.execute(opened.db);
        }
        try {
          const active = await (await createStocksRepository(opened.db)).activeSymbols();
          expect(active).toHaveLength(short.length);
          expect(new Set(active)).toEqual(new Set(short));
        } finally {
          await sql`truncate stocks`.execute(opened.db);
        }
      });
    }
  });
}
