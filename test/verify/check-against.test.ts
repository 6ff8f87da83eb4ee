import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { openAgainstDatabase, type AgainstDatabase } from '../../src/db/quality/against-database.js';
import { createCompletenessReader } from '../../src/db/quality/completeness-reader.js';
import { createSymbolRowsReader } from '../../src/db/quality/symbol-rows.js';
import { createRunsRepository } from '../../src/db/runs/runs-repository.js';
import { createLogger } from '../../src/logger.js';
import { runVerify } from '../../src/verify/verify-run.js';
import { barSeries, weekdays } from '../support/bars.js';
import { createTestDatabase, describeBackends, TEST_DATABASE_URL } from '../support/databases.js';
import { DEFAULT_VERIFY_OPTIONS } from '../support/defaults.js';
import { createLegacySchema, useMigratedDatabase } from '../db/helpers.js';
import { saveSymbols } from '../support/save-bars.js';

const DAYS = weekdays('2026-11-02', 10); // 2 … 13 November 2026
const SYMBOLS = ['0050', '2317', '2330'];
const logger = createLogger({ level: 'silent', pretty: false, write: () => undefined });

// Their side is the old service's PostgreSQL server; ours runs on both backends.
describeBackends('verify --against, the old service\'s database', (backend) => {
  if (!TEST_DATABASE_URL) {
    // Skipped without a server: the other database is the old service's PostgreSQL, never embedded.
    it.skip('needs TEST_DATABASE_URL: the other database is always a server', () => undefined);
    return;
  }
  const suite = useMigratedDatabase(backend, 'crawler', { emptyBarsBeforeEach: true });
  let theirs: { url: string; drop(): Promise<void> };
  let theirDb: Kysely<any>;
  let against: AgainstDatabase | undefined;

  beforeAll(async () => {
    theirs = await createTestDatabase();
    theirDb = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: theirs.url, max: 1 }) }) });
    await createLegacySchema(theirDb);
  });

  afterAll(async () => {
    await against?.close();
    await theirDb.destroy();
    await theirs.drop();
  });

  beforeEach(async () => {
    await sql`truncate stock_daily_data`.execute(theirDb);
    await against?.close();
    against = undefined;
  });

  /** Both sides hold the same bars; then the old service's copy gets exactly the seeded differences. */
  async function seedBoth(): Promise<void> {
    const bars = SYMBOLS.flatMap((symbol, i) => barSeries(symbol, DAYS, 100 * (i + 1), (day) => ({ volume: 1_000 + day })));
    await saveSymbols(suite.repository, SYMBOLS.map((symbol) => ({ symbol, bars: bars.filter((bar) => bar.stock_code === symbol), source: 'm0' })));
    for (const bar of bars) {
      await sql`
        insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
        values (${bar.stock_code}, ${`${bar.trade_date}T00:00:00Z`}::timestamptz, ${bar.open_price}, ${bar.high_price},
                ${bar.low_price}, ${bar.close_price}, ${bar.volume}, 'old')`.execute(theirDb);
    }
    const at = (day: number) => `${DAYS[day]}T00:00:00Z`;
    // Two value differences: a price beyond 0.01, a volume by one lot.
    await sql`update stock_daily_data set close_price = close_price + 0.5 where stock_code = '2330' and trade_date = ${at(3)}::timestamptz`.execute(theirDb);
    await sql`update stock_daily_data set volume = volume + 1 where stock_code = '2317' and trade_date = ${at(5)}::timestamptz`.execute(theirDb);
    // Within 0.01: the same value, as the old service's float column may hold it.
    await sql`update stock_daily_data set close_price = close_price + 0.009 where stock_code = '2330' and trade_date = ${at(4)}::timestamptz`.execute(theirDb);
    // Only ours: they lack 2317 on day 6. Only theirs: we lack 0050 on day 7.
    await sql`delete from stock_daily_data where stock_code = '2317' and trade_date = ${at(6)}::timestamptz`.execute(theirDb);
    await sql`delete from stock_daily_data where stock_code = '0050' and trade_date = ${DAYS[7]}`.execute(suite.db);
    // A duplicated row (their table has no unique key), a symbol we do not check, a day before the range.
    await sql`insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
              select stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source
              from stock_daily_data where stock_code = '2330' and trade_date = ${at(8)}::timestamptz`.execute(theirDb);
    await sql`insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source) values
              ('1101', ${at(2)}::timestamptz, 1, 1, 1, 1, 1, 'old'),
              ('2330', '2026-10-30T00:00:00Z'::timestamptz, 1, 1, 1, 1, 1, 'old')`.execute(theirDb);
  }

  it('counts exactly the seeded differences, never writes there, never prints its password', async () => {
    await seedBoth();
    const url = new URL(theirs.url);
    url.password = 'old-service-secret';
    against = await openAgainstDatabase(url.toString());
    const before = await sql<{ rows: string }>`select md5(string_agg(t::text, ',' order by id)) as rows from stock_daily_data as t`.execute(theirDb);

    const { document, exitCode } = await runVerify({
      selection: { kind: 'list', symbols: SYMBOLS },
      activeSymbols: async () => SYMBOLS,
      completeness: createCompletenessReader(suite.db, suite.repository.tradeDateKind),
      recentBars: (symbols, perSymbol) => suite.repository.recentBars(symbols, perSymbol),
      against: { ours: createSymbolRowsReader(suite.db, suite.repository.tradeDateKind), theirs: against, from: DAYS[0], to: DAYS.at(-1) },
      runs: createRunsRepository(suite.db),
      holidays: new Set(),
      lastSession: DAYS.at(-1)!,
      options: DEFAULT_VERIFY_OPTIONS,
      clock: systemClock,
      logger,
    });

    expect(document.result.against).toMatchObject({
      from: DAYS[0],
      to: DAYS.at(-1),
      symbols: 3,
      rows_both: 28,
      only_ours: 1,
      only_theirs: 1,
      value_differences: 2,
      pct: 86.667,
      duplicates_theirs: 1,
    });
    expect(document.result.against!.examples.map((example) => [example.stock_code, example.trade_date, example.kind])).toEqual([
      ['0050', DAYS[7], 'only_theirs'],
      ['2317', DAYS[5], 'differs'],
      ['2317', DAYS[6], 'only_ours'],
      ['2330', DAYS[3], 'differs'],
    ]);
    expect(document.result.against!.examples[1]).toMatchObject({ ours: { volume: 1_005 }, theirs: { volume: 1_006 } });
    expect(document.result.agreement).toBeNull();
    expect(document.result.failed_checks).toEqual(['completeness', 'against']);
    expect(exitCode).toBe(1);

    const printed = JSON.stringify(document);
    expect(printed).not.toContain('old-service-secret');
    expect(document.result.against!.target).toContain('***');
    const run = await createRunsRepository(suite.db).latest('verify');
    expect(JSON.stringify(run)).not.toContain('old-service-secret');
    const after = await sql<{ rows: string }>`select md5(string_agg(t::text, ',' order by id)) as rows from stock_daily_data as t`.execute(theirDb);
    expect(after.rows[0]!.rows).toBe(before.rows[0]!.rows);
  });

  it('finds two identical databases 100 % in agreement', async () => {
    const bars = barSeries('2330', DAYS, 500);
    await saveSymbols(suite.repository, [{ symbol: '2330', bars, source: 'm0' }]);
    for (const bar of bars) {
      await sql`insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
                values ('2330', ${`${bar.trade_date}T00:00:00Z`}::timestamptz, ${bar.open_price}, ${bar.high_price}, ${bar.low_price},
                        ${bar.close_price}, ${bar.volume}, 'old')`.execute(theirDb);
    }
    against = await openAgainstDatabase(theirs.url);
    const { document } = await runVerify({
      selection: { kind: 'list', symbols: ['2330'] },
      activeSymbols: async () => ['2330'],
      completeness: createCompletenessReader(suite.db, suite.repository.tradeDateKind),
      recentBars: (symbols, perSymbol) => suite.repository.recentBars(symbols, perSymbol),
      against: { ours: createSymbolRowsReader(suite.db, suite.repository.tradeDateKind), theirs: against },
      holidays: new Set(),
      lastSession: DAYS.at(-1)!,
      options: DEFAULT_VERIFY_OPTIONS,
      clock: systemClock,
      logger,
    });
    expect(document.result.against).toMatchObject({ symbols: 1, rows_both: 10, only_ours: 0, only_theirs: 0, value_differences: 0, pct: 100, from: null, to: DAYS.at(-1) });
    expect(document.result.failed_checks).toEqual([]);
  });
});
