import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createCompletenessReader } from '../../src/db/quality/completeness-reader.js';
import { createRunsRepository } from '../../src/db/runs/runs-repository.js';
import { createStocksRepository } from '../../src/db/stocks/stocks-repository.js';
import { CrawlerError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { runVerify, type VerifyDeps, type VerifySelection } from '../../src/verify/verify-run.js';
import { describeBackends } from '../support/databases.js';
import { DEFAULT_VERIFY_OPTIONS } from '../support/defaults.js';
import { createWindowFetcher, startVerifyMirrors, type MirrorQuirks, type VerifyMirrors } from '../support/verify-mirrors.js';
import { useMigratedDatabase } from '../db/helpers.js';
import { saveSymbols } from '../support/save-bars.js';

const FIRST = '2026-06-01';
const LAST = '2026-11-13'; // a Friday
const BEFORE_LAST = '2026-11-12';
const SYMBOLS = ['1101', '2317', '2330', '2454', '2882', '6505'];
const K = 20;

const logger = createLogger({ level: 'silent', pretty: false, write: () => undefined });

describeBackends('runVerify', (backend) => {
  const suite = useMigratedDatabase(backend, 'crawler', { emptyBarsBeforeEach: true });
  let farm: VerifyMirrors | undefined;
  let fetcher: ReturnType<typeof createWindowFetcher> | undefined;

  /** The truth of the common last day, as the store holds it after a clean crawl. */
  async function seedStore(truthSource: VerifyMirrors): Promise<void> {
    await (await createStocksRepository(suite.db)).ensureSymbols(SYMBOLS);
    await saveSymbols(suite.repository, SYMBOLS.map((symbol) => ({ symbol, bars: truthSource.truth(symbol), source: 'm1' })));
  }

  beforeEach(async () => {
    await sql`truncate stocks, crawl_runs`.execute(suite.db);
  });

  afterEach(async () => {
    await farm?.close();
    await fetcher?.close();
    farm = undefined;
    fetcher = undefined;
  });

  async function verify(
    quirks: readonly MirrorQuirks[],
    options: {
      selection?: VerifySelection;
      repair?: boolean;
      writer?: VerifyDeps['repair'];
      firstMirror?: (symbol: string) => number;
      prepare?: () => Promise<void>;
    } = {},
  ) {
    farm = await startVerifyMirrors(quirks, { firstDay: FIRST, lastDay: LAST });
    await seedStore(farm);
    await options.prepare?.();
    fetcher = createWindowFetcher(farm.mirrors, { today: LAST, firstMirror: options.firstMirror });
    const stocks = await createStocksRepository(suite.db);
    const deps: VerifyDeps = {
      selection: options.selection ?? { kind: 'all' },
      activeSymbols: () => stocks.activeSymbols(),
      completeness: createCompletenessReader(suite.db, suite.repository.tradeDateKind),
      recentBars: (symbols, perSymbol) => suite.repository.recentBars(symbols, perSymbol),
      fetchWindow: fetcher.fetchWindow,
      repair: options.writer ?? (async (group) => saveSymbols(suite.repository, [group])),
      runs: createRunsRepository(suite.db),
      holidays: new Set(),
      lastSession: LAST,
      options: { ...DEFAULT_VERIFY_OPTIONS, bars: K, repair: options.repair ?? false, concurrency: 4 },
      clock: systemClock,
      logger,
      random: () => 0.5,
    };
    return runVerify(deps);
  }

  const honest: MirrorQuirks = {};

  it('finds a clean store complete and in 100 % agreement, exit 0, and records the run', async () => {
    const { document, exitCode } = await verify([honest, honest, honest]);
    expect(exitCode).toBe(0);
    expect(document.success).toBe(true);
    expect(document.result.failed_checks).toEqual([]);
    expect(document.result.completeness).toMatchObject({ symbols: 6, up_to_date: 6, lagging: [], gaps: { days: 0 }, closures: [] });
    expect(document.result.agreement).toMatchObject({
      symbols: 6,
      bars_compared: 6 * K,
      agree: 6 * K,
      store_differs: 0,
      mirrors_disagree: 0,
      missing_in_store: 0,
      missing_on_mirrors: 0,
      repaired: 0,
      pct: 100,
      examples: [],
      failed: 0,
      after_repair: null,
    });
    expect(document.result.against).toBeNull();
    expect(document.source).toBe('node');
    const run = await createRunsRepository(suite.db).latest('verify');
    expect(run).toMatchObject({ id: document.run_id, job: 'verify', status: 'succeeded', progress: { total: 6, succeeded: 6, failed: 0 } });
    expect((run!.summary as { result: { agreement: { pct: number } } }).result.agreement.pct).toBe(100);
  });

  it('finds rows altered in the store as store_differs with every source\'s values; exit 1', async () => {
    const { document, exitCode } = await verify([honest, honest, honest], {
      prepare: async () => {
        await sql`update stock_daily_data set close_price = close_price + 0.5 where stock_code = '2330' and trade_date in ('2026-11-10', '2026-11-11')`.execute(suite.db);
        await sql`update stock_daily_data set volume = volume + 1 where stock_code = '2454' and trade_date = ${LAST}`.execute(suite.db);
      },
    });
    expect(exitCode).toBe(1);
    expect(document.result.failed_checks).toEqual(['agreement']);
    const agreement = document.result.agreement!;
    expect(agreement).toMatchObject({ bars_compared: 6 * K, agree: 6 * K - 3, store_differs: 3, repaired: 0 });
    expect(agreement.pct).toBe(97.5);
    const truth = farm!.truth('2330').find((bar) => bar.trade_date === '2026-11-10')!;
    expect(agreement.examples[0]).toEqual({
      stock_code: '2330',
      trade_date: '2026-11-10',
      class: 'store_differs',
      stored: { open_price: truth.open_price, high_price: truth.high_price, low_price: truth.low_price, close_price: truth.close_price + 0.5, volume: truth.volume },
      mirrors: [
        { broker: 'm0', reached: true, values: { open_price: truth.open_price, high_price: truth.high_price, low_price: truth.low_price, close_price: truth.close_price, volume: truth.volume } },
        { broker: 'm1', reached: true, values: { open_price: truth.open_price, high_price: truth.high_price, low_price: truth.low_price, close_price: truth.close_price, volume: truth.volume } },
      ],
      repaired: false,
    });
    expect(agreement.examples.map((example) => [example.stock_code, example.trade_date])).toEqual([
      ['2330', '2026-11-10'],
      ['2330', '2026-11-11'],
      ['2454', LAST],
    ]);
    expect((await createRunsRepository(suite.db).latest('verify'))?.status).toBe('partial');
  });

  it('--repair writes the agreeing mirrors\' values back, counts them and re-checks: exit 0', async () => {
    const { document, exitCode } = await verify([honest, honest, honest], {
      repair: true,
      prepare: async () => {
        await sql`update stock_daily_data set close_price = close_price + 0.5 where stock_code = '2330' and trade_date = '2026-11-10'`.execute(suite.db);
        await sql`update stock_daily_data set volume = volume + 7 where stock_code = '2454' and trade_date = ${LAST}`.execute(suite.db);
      },
    });
    expect(exitCode).toBe(0);
    const agreement = document.result.agreement!;
    expect(agreement).toMatchObject({ store_differs: 2, repaired: 2, after_repair: { store_differs: 0, agree: 6 * K, pct: 100 } });
    expect(agreement.examples.every((example) => example.repaired)).toBe(true);
    const stored = await suite.repository.recentBars(['2330', '2454'], K);
    expect(stored.get('2330')).toEqual(farm!.truth('2330').slice(-K));
    expect(stored.get('2454')).toEqual(farm!.truth('2454').slice(-K));
    const { rows } = await sql<{ data_source: string }>`select data_source from stock_daily_data where stock_code = '2330' and trade_date = '2026-11-10'`.execute(suite.db);
    expect(['m0', 'm1', 'm2']).toContain(rows[0]!.data_source);
  });

  it('reports a repair the database refused as a failure of its symbol, and leaves the store as it was', async () => {
    const { document, exitCode } = await verify([honest, honest], {
      repair: true,
      // The bar writer's answer when the database refuses a symbol's rows.
      writer: async () => {
        throw new CrawlerError('E_DB_WRITE', 'the database refused the rows of 2330');
      },
      prepare: async () => void (await sql`update stock_daily_data set volume = 1 where stock_code = '2330' and trade_date = ${LAST}`.execute(suite.db)),
    });
    expect(exitCode).toBe(1);
    expect(document.result.agreement).toMatchObject({ store_differs: 1, repaired: 0, failed: 1, failures: [{ stock_code: '2330', code: 'E_DB_WRITE' }] });
    const { rows } = await sql<{ volume: number }>`select volume from stock_daily_data where stock_code = '2330' and trade_date = ${LAST}`.execute(suite.db);
    expect(Number(rows[0]!.volume)).toBe(1);
  });

  it('finds a deleted middle row as a gap with its date; --repair fills it from two mirrors and the gap is gone', async () => {
    const deleteRow = () => sql`delete from stock_daily_data where stock_code = '2317' and trade_date = '2026-11-04'`.execute(suite.db);
    const found = await verify([honest, honest], { prepare: async () => void (await deleteRow()) });
    expect(found.document.result.completeness.gaps).toEqual({ symbols: 1, days: 1, examples: [{ stock_code: '2317', trade_date: '2026-11-04' }] });
    expect(found.document.result.agreement).toMatchObject({ missing_in_store: 1 });
    expect(found.document.result.failed_checks).toEqual(['completeness', 'agreement']);
    await farm!.close();
    await fetcher!.close();

    await sql`truncate stock_daily_data`.execute(suite.db);
    const repaired = await verify([honest, honest], { repair: true, prepare: async () => void (await deleteRow()) });
    expect(repaired.document.result.agreement).toMatchObject({ missing_in_store: 1, repaired: 1, after_repair: { missing_in_store: 0 } });
    expect(repaired.document.result.completeness.gaps.days).toBe(0);
    expect(repaired.exitCode).toBe(0);
  });

  it('never lets lagging mirrors make the store look lagging or its newest bar missing: a current third mirror settles it', async () => {
    // The two mirrors asked first both lag a session: their silence on the newest day is no evidence.
    const { document, exitCode } = await verify([{ lastDay: BEFORE_LAST }, { lastDay: BEFORE_LAST }, honest], { firstMirror: () => 0 });
    expect(exitCode).toBe(0);
    expect(document.result.completeness.lagging).toEqual([]);
    expect(document.result.agreement).toMatchObject({ agree: 6 * K, missing_on_mirrors: 0, third_mirror: 6, pct: 100 });
    expect(farm!.requests[2]).toHaveLength(6);
  });

  it('with only the lagging mirror and one current one, decides the newest day on the current one: still agree', async () => {
    const { document } = await verify([{ lastDay: BEFORE_LAST }, honest], { firstMirror: () => 0 });
    expect(document.result.agreement).toMatchObject({ agree: 6 * K, missing_on_mirrors: 0, mirrors_disagree: 0, pct: 100 });
  });

  it('outvotes a mirror that skews some symbols\' prices: the store agrees with the two honest ones', async () => {
    const { document, exitCode } = await verify([{ skew: { symbols: ['2330', '2882'], factor: 1.05 } }, honest, honest], { firstMirror: () => 0 });
    expect(exitCode).toBe(0);
    expect(document.result.agreement).toMatchObject({ agree: 6 * K, third_mirror: 2, pct: 100 });
    expect(farm!.requests[2]!.map((request) => request.symbol).sort()).toEqual(['2330', '2882']);
  });

  it('outvotes a mirror serving a history with a gap', async () => {
    const { document } = await verify([{ gaps: { '6505': ['2026-11-09'] } }, honest, honest], { firstMirror: () => 0 });
    expect(document.result.agreement).toMatchObject({ agree: 6 * K, missing_on_mirrors: 0, third_mirror: 1, pct: 100 });
  });

  it('samples the active symbols that have bars, and asks about listed ones only, when told', async () => {
    const sampled = await verify([honest, honest], { selection: { kind: 'sample' } });
    expect(sampled.document.result.agreement?.symbols).toBe(6);
    await farm!.close();
    await fetcher!.close();
    await sql`truncate stock_daily_data, stocks`.execute(suite.db);
    const listed = await verify([honest, honest], { selection: { kind: 'list', symbols: ['2330'] } });
    expect(listed.document.result.completeness.symbols).toBe(1);
    expect(listed.document.result.agreement?.symbols).toBe(1);
    expect(farm!.requests.flat().map((request) => request.symbol)).toEqual(['2330', '2330']);
  });

  it('fails a symbol that only one mirror answers for, and says so', async () => {
    const { document, exitCode } = await verify([honest], { selection: { kind: 'list', symbols: ['2330'] } });
    expect(exitCode).toBe(1);
    expect(document.result.agreement).toMatchObject({ symbols: 0, failed: 1, failures: [{ stock_code: '2330' }] });
    expect(document.result.failed_checks).toEqual(['agreement']);
  });

  it('stops between symbols on a signal and says interrupted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    farm = await startVerifyMirrors([honest, honest], { firstDay: FIRST, lastDay: LAST });
    await seedStore(farm);
    fetcher = createWindowFetcher(farm.mirrors, { today: LAST });
    const stocks = await createStocksRepository(suite.db);
    const { document, exitCode } = await runVerify({
      selection: { kind: 'all' },
      activeSymbols: () => stocks.activeSymbols(),
      completeness: createCompletenessReader(suite.db, suite.repository.tradeDateKind),
      recentBars: (symbols, perSymbol) => suite.repository.recentBars(symbols, perSymbol),
      fetchWindow: fetcher.fetchWindow,
      runs: createRunsRepository(suite.db),
      holidays: new Set(),
      lastSession: LAST,
      options: DEFAULT_VERIFY_OPTIONS,
      clock: systemClock,
      logger,
      signal: controller.signal,
    });
    expect(exitCode).toBe(1);
    expect(document.interrupted).toBe(true);
    expect(document.success).toBe(false);
    expect(document.result.agreement).toMatchObject({ symbols: 0, bars_compared: 0 });
    expect(farm.requests.flat()).toEqual([]);
    expect((await createRunsRepository(suite.db).latest('verify'))?.status).toBe('interrupted');
  });
});

