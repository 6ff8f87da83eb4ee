import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHolidaysRepository } from '../../../src/db/market/holidays-repository.js';
import { describeBackends } from '../../support/databases.js';
import { emptyMarketTables, FLAVOURS, openMarketDatabase, type MarketDatabase } from './helpers.js';

const AT = new Date('2026-01-05T10:00:00Z');

for (const flavour of FLAVOURS) {
  describeBackends(`holidays repository, ${flavour} database`, (backend) => {
    let database: MarketDatabase;
    beforeAll(async () => {
      database = await openMarketDatabase(backend, flavour);
    });
    afterAll(async () => {
      await database?.close();
    });
    beforeEach(async () => {
      await emptyMarketTables(database.db);
    });

    it('replaces the years a schedule covers and keeps the others', async () => {
      const repository = createHolidaysRepository(database.db);
      expect(await repository.days()).toEqual([]);
      await repository.replaceYears([2025], [{ day: '2025-12-25', name: '行憲紀念日', description: null }], AT);
      await repository.replaceYears(
        [2026],
        [
          { day: '2026-01-01', name: '中華民國開國紀念日', description: '依規定放假1日。' },
          { day: '2026-09-29', name: 'wrong', description: null },
        ],
        AT,
      );
      await repository.replaceYears(
        [2026],
        [
          { day: '2026-01-01', name: '中華民國開國紀念日', description: '依規定放假1日。' },
          { day: '2026-09-28', name: '孔子誕辰紀念日', description: null },
        ],
        AT,
      );
      expect(await repository.days()).toEqual(['2025-12-25', '2026-01-01', '2026-09-28']);
      expect(await repository.inYears([2026])).toEqual([
        { day: '2026-01-01', name: '中華民國開國紀念日', description: '依規定放假1日。' },
        { day: '2026-09-28', name: '孔子誕辰紀念日', description: null },
      ]);
      expect(await repository.inYears([2024])).toEqual([]);
      expect(await repository.inYears([])).toEqual([]);
    });

    it('empties a year given no holidays, and changes nothing given no years', async () => {
      const repository = createHolidaysRepository(database.db);
      await repository.replaceYears([2026], [{ day: '2026-01-01', name: 'x', description: null }], AT);
      await repository.replaceYears([], [], AT);
      expect(await repository.days()).toEqual(['2026-01-01']);
      await repository.replaceYears([2026], [], AT);
      expect(await repository.days()).toEqual([]);
    });
  });
}
