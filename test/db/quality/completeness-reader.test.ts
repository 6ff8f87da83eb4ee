import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createCompletenessReader } from '../../../src/db/quality/completeness-reader.js';
import { barSeries, weekdays } from '../../support/bars.js';
import { describeBackends } from '../../support/databases.js';
import { useMigratedDatabase } from '../helpers.js';
import { saveSymbols } from '../../support/save-bars.js';

const DAYS = weekdays('2026-11-02', 8); // 2 … 11 November 2026

describeBackends('completeness reads', (backend) => {
  for (const flavour of ['crawler', 'legacy'] as const) {
    describe(`${flavour} table`, () => {
      const suite = useMigratedDatabase(backend, flavour, { timeZone: 'Asia/Taipei', emptyBarsBeforeEach: true });
      const reader = () => createCompletenessReader(suite.db, suite.repository.tradeDateKind);

      async function seed(): Promise<void> {
        await saveSymbols(suite.repository, [
          { symbol: '2330', bars: barSeries('2330', DAYS.filter((_, i) => i !== 3)), source: 'm0' },
          // A weekend-dated bar, kept by the validator with data_quality 'weekend'.
          { symbol: '2317', bars: [...barSeries('2317', DAYS.slice(2)), { ...barSeries('2317', ['2026-11-07'])[0]!, data_quality: 'weekend' }], source: 'm0' },
          { symbol: '0050', bars: barSeries('0050', DAYS.slice(0, 1)), source: 'm0' },
        ]);
      }

      it('gives each symbol its span and bar count, and the bars of each day, in one statement', async () => {
        await seed();
        const { spans, barsPerDay } = await reader().coverage(['2330', '2317', '9999']);
        expect([...spans.values()].sort((a, b) => a.stock_code.localeCompare(b.stock_code))).toEqual([
          { stock_code: '2317', first: DAYS[2], last: DAYS[7], bars: 7 },
          { stock_code: '2330', first: DAYS[0], last: DAYS[7], bars: 7 },
        ]);
        expect(Object.fromEntries([...barsPerDay].sort())).toEqual({
          [DAYS[0]!]: 1,
          [DAYS[1]!]: 1,
          [DAYS[2]!]: 2,
          [DAYS[3]!]: 1,
          [DAYS[4]!]: 2,
          '2026-11-07': 1,
          [DAYS[5]!]: 2,
          [DAYS[6]!]: 2,
          [DAYS[7]!]: 2,
        });
      });

      it('counts a symbol\'s bars on given days, and lists its stored days in order', async () => {
        await seed();
        const onDays = await reader().barsOnDays(['2330', '2317', '0050'], ['2026-11-07', DAYS[0]!]);
        expect(Object.fromEntries(onDays)).toEqual({ '2317': 1, '2330': 1, '0050': 1 });
        const stored = await reader().storedDays(['2330', '0050', '9999']);
        expect(Object.fromEntries(stored)).toEqual({ '2330': DAYS.filter((_, i) => i !== 3), '0050': [DAYS[0]] });
      });

      it('returns nothing for no symbols, without a statement that could fail', async () => {
        expect(await reader().coverage([])).toEqual({ spans: new Map(), barsPerDay: new Map() });
        expect(await reader().barsOnDays([], [DAYS[0]!])).toEqual(new Map());
        expect(await reader().storedDays([])).toEqual(new Map());
      });

      it('reads a symbol code that needs quoting as data, not SQL', async () => {
        const hostile = `2330'); drop table stock_daily_data; --"{}`;
        expect((await reader().coverage([hostile])).spans.size).toBe(0);
        await sql`select 1 from stock_daily_data limit 1`.execute(suite.db);
      });
    });
  }
});
