import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { fetchDocumentSchema } from '../../src/documents/fetch-document-schema.js';
import { createLegacySchema } from '../db/helpers.js';
import { keysOf, legacyFixture, shapeOf } from '../documents/json-shape.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson } from '../support/run-cli.js';

/*
 * The drop-in: on the Python backend's own database (its DDL, task_execution_logs
 * included), the built CLI's documents carry every key the old service's consumers read,
 * with the old types, and `--shape legacy` prints exactly the old documents (the key sets
 * and types of fixtures/legacy/, recursively). The rows it writes are the old writer's.
 */
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });

/** Every key of `old` is in `ours` with the same JSON type (null, number, string, boolean, array, object). */
function expectOldKeys(ours: Record<string, unknown>, old: Record<string, unknown>, except: readonly string[] = []): void {
  for (const [key, value] of Object.entries(old)) {
    if (except.includes(key)) continue;
    expect(ours, key).toHaveProperty(key);
    expect(shapeOf(ours[key]).split(':')[0]?.slice(0, 1), key).toBe(shapeOf(value).split(':')[0]?.slice(0, 1));
  }
}

(TEST_DATABASE_URL ? describe : describe.skip)('the old service\'s documents and rows, on the backend\'s database', () => {
  let database: { url: string; drop(): Promise<void> };
  let farm: MirrorFarm;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    await createLegacySchema(handle.db);
    await migrateToLatest(handle.db);
    await handle.db.insertInto('stocks').values([{ stock_code: '2330', stock_name: '台積電', market: 'TSE' }]).execute();
    await handle.close();
    farm = await startMirrorFarm({ behaviours: ['ok', 'ok', 'ok'], lastDay: LAST_SESSION, unknownSymbols: ['9999'] });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await farm?.close();
    await database?.drop();
  });

  const env = () => ({ DATABASE_URL: database.url, BROKER_URLS: farm.brokers, STOCK_CRAWLER_SPACING_MS: '0' });
  const cli = async (args: string[]) => {
    const run = await runCli(args, { env: env() });
    return { code: run.code, document: singleJson(run.stdout), stderr: run.stderr };
  };

  it('fetch: the default document carries the old keys; --shape legacy is exactly the old document', async () => {
    const stored = await cli(['fetch', '2330']);
    expect(stored.code, stored.stderr).toBe(0);
    fetchDocumentSchema.parse(stored.document);
    const success = await legacyFixture('fetch-success.json');
    expectOldKeys(stored.document, success, ['message']);
    expect(stored.document).toMatchObject({ status: 'success', stock_symbol: '2330', data_sources: '3 broker websites', data_quality: 'adjusted_daily_prices' });

    const again = await cli(['fetch', '2330', '--shape', 'legacy']);
    expect(shapeOf(again.document)).toBe(shapeOf(success));
    // The old writer counted every row that was there already as updated.
    expect(again.document).toMatchObject({ records_created: 0, records_updated: again.document.records_processed });

    const skipped = await cli(['fetch', '2330', '--skip-fresh', '--shape', 'legacy']);
    expect(skipped.code).toBe(0);
    expect(shapeOf(skipped.document)).toBe(shapeOf(await legacyFixture('fetch-skipped.json')));
    expect(skipped.document).toMatchObject({ status: 'skipped', latest_date: `${LAST_SESSION}T00:00:00+00:00` });

    const failed = await cli(['fetch', '9999', '--shape', 'legacy']);
    expect(keysOf(failed.document)).toEqual(keysOf(await legacyFixture('fetch-error.json')));
  });

  it('update: the default result carries the old batch keys; --shape legacy is exactly the old batch document', async () => {
    // 2330 is fresh (skipped), 2317 new (stored), 9999 unknown to the mirrors (failed, as the old service had it).
    const legacy = await cli(['update', '--symbols', '2330,2317,9999', '--shape', 'legacy', '--quiet']);
    expect(legacy.code, legacy.stderr).toBe(0);
    const old = await legacyFixture('batch.json');
    expect(shapeOf(legacy.document)).toBe(shapeOf(old));
    const result = legacy.document.result as Record<string, unknown>;
    expect(result).toMatchObject({ total_stocks: 3, successful_updates: 1, failed_updates: 1, skipped_updates: 1, successful_stocks: ['2317'] });
    // The task is the backend's task_execution_logs row, as the old service's was.
    expect(typeof result.task_id).toBe('number');
    const { rows } = await client.query('select id::int as id, status from task_execution_logs where id = $1', [result.task_id]);
    expect(rows).toEqual([{ id: result.task_id, status: 'completed' }]);

    const ours = await cli(['update', '--symbols', '2330,9999', '--detailed', '--quiet']);
    const oursResult = ours.document.result as Record<string, unknown>;
    expectOldKeys(ours.document, old, ['result', 'source']);
    expectOldKeys(oursResult, old.result as Record<string, unknown>);
    expect(oursResult.skipped_stocks).toEqual([{ stock_code: '2330', reason: 'Stock data is already up to date', latest_date: `${LAST_SESSION}T00:00:00+00:00` }]);
  });

  it('history: paging and the old document, rows with adjusted_close', async () => {
    const old = await legacyFixture('history-page.json');
    const legacy = await cli(['history', '2330', '--shape', 'legacy', '--page', '2']);
    expect(shapeOf(legacy.document)).toBe(shapeOf(old));
    const pagination = legacy.document.pagination as { total_pages: number; has_next: boolean };
    const total = legacy.document.total_records as number;
    expect(pagination).toMatchObject({ total_pages: Math.ceil(total / 50), has_next: 2 < Math.ceil(total / 50) });
    const ours = await cli(['history', '2330', '--limit', '10', '--page', '3', '--sort-by', 'volume', '--order', 'desc']);
    expectOldKeys(ours.document, old, ['data']);
    expect((ours.document.data as Array<Record<string, unknown>>)[0]).toHaveProperty('adjusted_close');
  });

  it('writes rows as the old writer did: column by column in the backend\'s DDL', async () => {
    const { rows } = await client.query(
      `select stock_code, trade_date, pg_typeof(trade_date)::text as trade_date_type, to_char(trade_date at time zone 'UTC', 'HH24:MI:SS') as at,
              pg_typeof(close_price)::text as price_type, data_source, data_quality, is_validated, created_at is not null as created,
              updated_at is not null as updated, ma5, price_change, turnover
       from stock_daily_data where stock_code = '2317' order by trade_date desc limit 1`,
    );
    expect(rows[0]).toMatchObject({
      stock_code: '2317',
      trade_date_type: 'timestamp with time zone',
      at: '00:00:00',
      price_type: 'double precision',
      data_source: 'broker_crawler',
      data_quality: 'corrected_daily',
      is_validated: true,
      created: true,
      updated: true,
      ma5: null,
      price_change: null,
      turnover: null,
    });
    const kinds = await client.query(`select distinct data_source, data_quality, is_validated from stock_daily_data`);
    expect(kinds.rows).toEqual([{ data_source: 'broker_crawler', data_quality: 'corrected_daily', is_validated: true }]);
  });
});
