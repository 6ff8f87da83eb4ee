import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createCompletenessReader, type CompletenessReader } from '../../src/db/quality/completeness-reader.js';
import { storedTradeDate } from '../../src/db/schema/trade-date-sql.js';
import { checkCompleteness, completenessPasses } from '../../src/verify/check-completeness.js';
import { barSeries, symbolRange, weekdays } from '../support/bars.js';
import { describeBackends } from '../support/databases.js';
import { useMigratedDatabase } from '../db/helpers.js';
import { saveBars, saveSymbols } from '../support/save-bars.js';

const DAYS = weekdays('2026-10-19', 20); // Mon 19 October … Fri 13 November 2026
const LAST = DAYS.at(-1)!;
const SYMBOLS = ['0050', '2317', '2330', '2454', '6505'];
const none = new Set<string>();

/** A reader that delegates to the real one and counts the statements each read makes. */
function counted(reader: CompletenessReader) {
  const calls = { coverage: 0, barsOnDays: 0, storedDays: 0 };
  const wrapped: CompletenessReader = {
    coverage: (symbols) => (calls.coverage++, reader.coverage(symbols)),
    barsOnDays: (symbols, days) => (calls.barsOnDays++, reader.barsOnDays(symbols, days)),
    storedDays: (symbols) => (calls.storedDays++, reader.storedDays(symbols)),
  };
  return { calls, reader: wrapped };
}

describeBackends('checkCompleteness', (backend) => {
  for (const flavour of ['crawler', 'legacy'] as const) {
    describe(`${flavour} table`, () => {
      const suite = useMigratedDatabase(backend, flavour, { emptyBarsBeforeEach: true });
      const reader = () => createCompletenessReader(suite.db, suite.repository.tradeDateKind);
      const seed = (days: (symbol: string) => readonly string[] = () => DAYS) =>
        saveSymbols(suite.repository, SYMBOLS.map((symbol) => ({ symbol, bars: barSeries(symbol, days(symbol)), source: 'm0' })));
      const check = (symbols: readonly string[] = SYMBOLS, lastSession = LAST) =>
        checkCompleteness(reader(), { symbols, evidence: SYMBOLS, holidays: none, lastSession });

      it('finds a clean store complete: every symbol up to date, no gap, no closure', async () => {
        await seed();
        const { report, withBars } = await check();
        expect(report).toEqual({
          symbols: 5,
          up_to_date: 5,
          lagging: [],
          gaps: { symbols: 0, days: 0, examples: [] },
          closures: [],
          last_session: LAST,
        });
        expect(completenessPasses(report)).toBe(true);
        expect([...withBars].sort()).toEqual(SYMBOLS);
      });

      it('finds a deleted middle row as a gap with its date', async () => {
        await seed();
        await sql`delete from stock_daily_data where stock_code = '2330' and trade_date = ${sql.raw(storedTradeDate(suite.repository.tradeDateKind, `'${DAYS[9]}'::date`))}`.execute(suite.db);
        const { report } = await check();
        expect(report.gaps).toEqual({ symbols: 1, days: 1, examples: [{ stock_code: '2330', trade_date: DAYS[9] }] });
        expect(report.closures).toEqual([]);
        expect(completenessPasses(report)).toBe(false);
      });

      it('lists a day missing for every symbol once, as a closure, and not as gaps', async () => {
        await seed(() => DAYS.filter((_, i) => i !== 7));
        const { report } = await check();
        expect(report.closures).toEqual([DAYS[7]]);
        expect(report.gaps).toEqual({ symbols: 0, days: 0, examples: [] });
        expect(completenessPasses(report)).toBe(true);
      });

      it('still knows the closure when only one symbol is checked: the evidence is the whole universe', async () => {
        await seed((symbol) => DAYS.filter((_, i) => i !== 7 && !(symbol === '2330' && i === 12)));
        const { report } = await check(['2330']);
        expect(report.symbols).toBe(1);
        expect(report.closures).toEqual([DAYS[7]]);
        expect(report.gaps.examples).toEqual([{ stock_code: '2330', trade_date: DAYS[12] }]);
      });

      it('lists lagging symbols, and those without any bar, without counting their missing tail as gaps', async () => {
        await seed((symbol) => (symbol === '2454' ? DAYS.slice(0, -2) : DAYS));
        const { report } = await check([...SYMBOLS, '9999']);
        expect(report.lagging).toEqual(['2454', '9999']);
        expect(report.up_to_date).toBe(4);
        expect(report.gaps.days).toBe(0);
        expect(completenessPasses(report)).toBe(false);
      });

      it('does not count a weekend-dated bar as an open day', async () => {
        await seed();
        await saveBars(suite.repository, [{ ...barSeries('2330', ['2026-10-31'])[0]!, data_quality: 'weekend' }], 'm0');
        await sql`delete from stock_daily_data where stock_code = '2330' and trade_date = ${sql.raw(storedTradeDate(suite.repository.tradeDateKind, `'${DAYS[3]}'::date`))}`.execute(suite.db);
        const { report } = await check();
        expect(report.gaps).toEqual({ symbols: 1, days: 1, examples: [{ stock_code: '2330', trade_date: DAYS[3] }] });
      });

      it('judges 2,000 symbols with one scan and a handful of reads, listing 100 examples', async () => {
        const symbols = symbolRange(2000);
        const kind = suite.repository.tradeDateKind;
        // Every symbol lacks one day of its own: 2,000 gaps, no closure.
        await sql`
          insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source, data_quality)
          select s.code, ${sql.raw(storedTradeDate(kind, 'd.day'))}, 10, 11, 9, 10, 1000, 'm0', 'valid'
          from unnest(${`{${symbols.join(',')}}`}::text[]) with ordinality as s(code, n),
               unnest(${`{${DAYS.join(',')}}`}::date[]) with ordinality as d(day, i)
          where d.i <> 2 + s.n % 17`.execute(suite.db);
        const { calls, reader: countingReader } = counted(reader());
        const started = performance.now();
        const { report } = await checkCompleteness(countingReader, { symbols, evidence: symbols, holidays: none, lastSession: LAST });
        const ms = performance.now() - started;
        expect(report.up_to_date).toBe(2000);
        expect(report.gaps.symbols).toBe(2000);
        expect(report.gaps.days).toBe(2000);
        expect(report.gaps.examples).toHaveLength(100);
        expect(report.gaps.examples[0]).toEqual({ stock_code: '1000', trade_date: DAYS[2] });
        expect(calls).toEqual({ coverage: 1, barsOnDays: 0, storedDays: 4 });
        expect(ms).toBeLessThan(20_000);
      });
    });
  }
});
