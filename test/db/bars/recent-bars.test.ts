import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { bar, barSeries } from '../../support/bars.js';
import { describeBackends } from '../../support/databases.js';
import { saveBars } from '../../support/save-bars.js';
import { useMigratedDatabase } from '../helpers.js';

// A legacy trade_date is midnight UTC. Read in the session's zone it is 08:00 of that day
// in Asia/Taipei (where the crawler runs) and 19:00 of the day before in New York (where a
// careless ::date goes wrong): the trading day must come out the same in both.
const cases = [
  ['crawler', 'Asia/Taipei'],
  ['legacy', 'Asia/Taipei'],
  ['legacy', 'America/New_York'],
] as const;

for (const [flavour, timeZone] of cases) {
  describeBackends(`recentBars, ${flavour} table, session TimeZone ${timeZone}`, (backend) => {
    const database = useMigratedDatabase(backend, flavour, { timeZone });

    beforeAll(async () => {
      const days = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'];
      await saveBars(
        database.repository,
        [
          ...barSeries('2330', days, 590.25, (i) => ({ volume: 20000 + i })),
          bar('2317', '2024-01-03', 104.5, { data_quality: 'weekend' }),
          bar('1101', '2024-01-02', 40.1234),
        ],
        'mirror-a',
      );
    });

    it('returns the last N bars per symbol, oldest first, days and numbers as stored', async () => {
      const recent = await database.repository.recentBars(['2330', '2317', '9999', '2330'], 3);
      expect([...recent.keys()]).toEqual(['2330', '2317']);
      expect(recent.get('2330')).toEqual([
        bar('2330', '2024-01-04', 592.25, { volume: 20002 }),
        bar('2330', '2024-01-05', 593.25, { volume: 20003 }),
        bar('2330', '2024-01-08', 594.25, { volume: 20004 }),
      ]);
      // The backend's rows do not carry the weekend flag (README, rowVocabulary): it reads as valid.
      const quality = flavour === 'crawler' ? 'weekend' : 'valid';
      expect(recent.get('2317')).toEqual([bar('2317', '2024-01-03', 104.5, { data_quality: quality })]);
      expect((await database.repository.recentBars(['1101'], 1)).get('1101')?.[0]?.close_price).toBe(40.1234);
    });

    it('answers nothing for no symbols or no bars', async () => {
      expect(await database.repository.recentBars([], 3)).toEqual(new Map());
      expect(await database.repository.recentBars(['2330'], 0)).toEqual(new Map());
    });

    if (flavour === 'legacy') {
      it("reads the backend's own rows: midnight UTC is that day, NULL values never compare equal", async () => {
        await sql`
          insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
          values ('2454', '2024-01-02 00:00:00+00', 1000.5, 1010.0, 990.0, 1005.0, 5000, 'twse'),
                 ('2454', '2024-01-03 00:00:00+00', null, 1010.0, 990.0, 1005.0, null, 'twse')`.execute(database.db);
        const [first, second] = (await database.repository.recentBars(['2454'], 5)).get('2454') ?? [];
        expect(first).toEqual(bar('2454', '2024-01-02', 1005, { open_price: 1000.5, high_price: 1010, low_price: 990, volume: 5000 }));
        expect(second?.trade_date).toBe('2024-01-03');
        expect(second?.open_price).toBeNaN();
        expect(second?.volume).toBeNaN();
      });
    }
  });
}
