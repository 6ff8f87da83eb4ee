import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DailyBarsRepository } from '../../../src/db/bars/daily-bars-repository.js';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { describeBackends } from '../../support/databases.js';
import { bar, openBarsDatabase, type BarsDatabase } from '../helpers.js';

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
    let opened: BarsDatabase | undefined;
    let handle: DatabaseHandle;
    let repository: DailyBarsRepository;

    beforeAll(async () => {
      opened = await openBarsDatabase(backend, flavour, { timeZone });
      ({ handle, repository } = opened);
      const days = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'];
      await repository.upsertBars(
        [
          ...days.map((day, i) => bar('2330', day, 590 + i + 0.25, { volume: 20000 + i })),
          bar('2317', '2024-01-03', 104.5, { data_quality: 'weekend' }),
          bar('1101', '2024-01-02', 40.1234),
        ],
        'mirror-a',
      );
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('returns the last N bars per symbol, oldest first, days and numbers as stored', async () => {
      const recent = await repository.recentBars(['2330', '2317', '9999', '2330'], 3);
      expect([...recent.keys()]).toEqual(['2330', '2317']);
      expect(recent.get('2330')).toEqual([
        bar('2330', '2024-01-04', 592.25, { volume: 20002 }),
        bar('2330', '2024-01-05', 593.25, { volume: 20003 }),
        bar('2330', '2024-01-08', 594.25, { volume: 20004 }),
      ]);
      expect(recent.get('2317')).toEqual([bar('2317', '2024-01-03', 104.5, { data_quality: 'weekend' })]);
      expect((await repository.recentBars(['1101'], 1)).get('1101')?.[0]?.close_price).toBe(40.1234);
    });

    it('answers nothing for no symbols or no bars', async () => {
      expect(await repository.recentBars([], 3)).toEqual(new Map());
      expect(await repository.recentBars(['2330'], 0)).toEqual(new Map());
    });

    if (flavour === 'legacy') {
      it("reads the backend's own rows: midnight UTC is that day, NULL values never compare equal", async () => {
        await sql`
          insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
          values ('2454', '2024-01-02 00:00:00+00', 1000.5, 1010.0, 990.0, 1005.0, 5000, 'twse'),
                 ('2454', '2024-01-03 00:00:00+00', null, 1010.0, 990.0, 1005.0, null, 'twse')`.execute(handle.db);
        const [first, second] = (await repository.recentBars(['2454'], 5)).get('2454') ?? [];
        expect(first).toEqual(bar('2454', '2024-01-02', 1005, { open_price: 1000.5, high_price: 1010, low_price: 990, volume: 5000 }));
        expect(second?.trade_date).toBe('2024-01-03');
        expect(second?.open_price).toBeNaN();
        expect(second?.volume).toBeNaN();
      });
    }
  });
}
