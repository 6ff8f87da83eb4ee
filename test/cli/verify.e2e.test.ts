import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedSession, previousWeekday } from '../../src/batch/trading-session.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { batchSummarySchema } from '../../src/documents/batch-summary.js';
import { createLegacySchema } from '../db/helpers.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { runCli, singleJson } from '../support/run-cli.js';
import { startVerifyMirrors, type VerifyMirrors } from '../support/verify-mirrors.js';

/*
 * `verify` with the built CLI on PostgreSQL, over loopback mirrors where m0 serves skewed
 * prices for some symbols and m1 lags a session. The store is filled by `update` itself,
 * the skewing mirror first in line for the skewed symbols' first fetch.
 */
const LAST = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const SYMBOLS = Array.from({ length: 24 }, (_, i) => String(3000 + i * 11));
const SKEWED = SYMBOLS.slice(0, 6);

interface VerifyDocument {
  success: boolean;
  result: {
    completeness: { symbols: number; up_to_date: number; lagging: string[]; gaps: { symbols: number; days: number; examples: Array<{ stock_code: string; trade_date: string }> } };
    agreement: { symbols: number; bars_compared: number; agree: number; store_differs: number; repaired: number; pct: number; after_repair: { store_differs: number; pct: number } | null } | null;
    against: { rows_both: number; only_ours: number; only_theirs: number; value_differences: number; pct: number } | null;
    failed_checks: string[];
  };
}

(TEST_DATABASE_URL ? describe : describe.skip)('stock-crawler verify', () => {
  let mirrors: VerifyMirrors;
  let database: { url: string; drop(): Promise<void> };
  let theirs: { url: string; drop(): Promise<void> };
  let client: pg.Client;

  beforeAll(async () => {
    mirrors = await startVerifyMirrors(
      [{ skew: { symbols: SKEWED, factor: 1.05 } }, { lastDay: previousWeekday(LAST) }, {}, {}],
      { firstDay: '2025-06-02', lastDay: LAST },
    );
    database = await createTestDatabase();
    theirs = await createTestDatabase();
    for (const url of [database.url, theirs.url]) {
      const handle = await openDatabase({ databaseUrl: url, dataDir: '/nonexistent' });
      if (url === theirs.url) await createLegacySchema(handle.db);
      await migrateToLatest(handle.db);
      await handle.close();
    }
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await mirrors?.close();
    await database?.drop();
    await theirs?.drop();
  });

  const env = () => ({
    DATABASE_URL: database.url,
    BROKER_URLS: mirrors.mirrors.map((mirror) => `${mirror.name}=${mirror.baseUrl}`).join(','),
    STOCK_CRAWLER_SPACING_MS: '0',
    STOCK_CRAWLER_BACKOFF_BASE_MS: '10',
  });
  const verify = async (args: string[]) => {
    const run = await runCli(['verify', ...args], { env: env(), timeoutMs: 120_000 });
    return { code: run.code, document: singleJson(run.stdout) as unknown as VerifyDocument, stderr: run.stderr };
  };

  it('first fetches through update store the agreeing mirrors\' values, never the skewing mirror\'s', async () => {
    const run = await runCli(['update', '--symbols', SYMBOLS.join(','), '--quiet'], { env: env(), timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    expect(summary.result.succeeded).toBe(SYMBOLS.length);
    expect(summary.result.consistency.confirmed).toBe(SYMBOLS.length);
    for (const symbol of SKEWED) {
      const truth = mirrors.truth(symbol).at(-2)!;
      const { rows } = await client.query('select close_price::float8 as close from stock_daily_data where stock_code = $1 and trade_date = $2', [symbol, truth.trade_date]);
      expect(rows[0]?.close, symbol).toBeCloseTo(truth.close_price, 4);
    }
  });

  it('finds a clean store complete and 100 % in agreement: exit 0, though one mirror lags and one skews', async () => {
    const { code, document } = await verify(['--all', '--bars', '10']);
    expect(code, JSON.stringify(document.result)).toBe(0);
    expect(document.success).toBe(true);
    expect(document.result.completeness).toMatchObject({ symbols: SYMBOLS.length, up_to_date: SYMBOLS.length, lagging: [], gaps: { days: 0 } });
    expect(document.result.agreement).toMatchObject({ symbols: SYMBOLS.length, store_differs: 0, pct: 100 });
    expect(document.result.agreement!.bars_compared).toBe(SYMBOLS.length * 10);
  });

  it('finds altered rows as store_differs, and --repair restores them', async () => {
    const victim = SYMBOLS[10]!;
    const day = mirrors.truth(victim).at(-3)!.trade_date;
    await client.query('update stock_daily_data set close_price = close_price * 2 where stock_code = $1 and trade_date = $2', [victim, day]);
    const found = await verify(['--symbols', victim, '--bars', '10']);
    expect(found.code).toBe(1);
    expect(found.document.result.agreement).toMatchObject({ store_differs: 1, agree: 9 });
    expect(found.document.result.failed_checks).toEqual(['agreement']);
    const repaired = await verify(['--symbols', victim, '--bars', '10', '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.document.result.agreement).toMatchObject({ store_differs: 1, repaired: 1, after_repair: { store_differs: 0, pct: 100 } });
    const { rows } = await client.query('select close_price::float8 as close from stock_daily_data where stock_code = $1 and trade_date = $2', [victim, day]);
    expect(rows[0].close).toBeCloseTo(mirrors.truth(victim).at(-3)!.close_price, 4);
  });

  it('finds a deleted middle row as a gap, with its date', async () => {
    const victim = SYMBOLS[5]!;
    const day = mirrors.truth(victim).at(-40)!.trade_date;
    await client.query('delete from stock_daily_data where stock_code = $1 and trade_date = $2', [victim, day]);
    const { code, document } = await verify(['--sample', '0']);
    expect(code).toBe(1);
    expect(document.result.completeness.gaps).toMatchObject({ symbols: 1, days: 1, examples: [{ stock_code: victim, trade_date: day }] });
    expect(document.result.agreement).toBeNull();
  });

  it('compares with the old service\'s database, counting exactly the seeded differences', async () => {
    const other = new pg.Client({ connectionString: theirs.url });
    await other.connect();
    try {
      const symbol = SYMBOLS[1]!;
      const bars = mirrors.truth(symbol).slice(-5);
      // Theirs: five days, one with another close, one we lack (a day we do not store), and missing one of ours.
      for (const [i, bar] of bars.entries()) {
        if (i === 4) continue;
        const close = i === 2 ? bar.close_price + 1 : bar.close_price;
        await other.query(
          `insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
           values ($1, ($2::date)::timestamp at time zone 'UTC', $3, $4, $5, $6, $7, 'broker_crawler')`,
          [symbol, bar.trade_date, bar.open_price, bar.high_price, bar.low_price, close, bar.volume],
        );
      }
      await other.query(
        `insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source)
         values ($1, '2025-06-01T00:00:00Z', 10, 11, 9, 10, 5, 'broker_crawler')`,
        [symbol],
      );
    } finally {
      await other.end();
    }
    const from = mirrors.truth(SYMBOLS[1]!).at(-5)!.trade_date;
    const { document } = await verify(['--symbols', SYMBOLS[1]!, '--sample', '0', '--against', theirs.url, '--from', '2025-06-01', '--to', LAST]);
    expect(document.result.against).toMatchObject({ only_theirs: 1, value_differences: 1 });
    expect(document.result.against!.rows_both).toBe(4);
    expect(document.result.against!.only_ours).toBeGreaterThan(0);
    expect(from).toBeDefined();
  });
});
