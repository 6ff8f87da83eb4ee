import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, SchemaError, UsageError } from '../../../src/errors.js';
import { openAgainstDatabase } from '../../../src/db/quality/against-database.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../../support/databases.js';
import { createLegacySchema } from '../helpers.js';

// The other database is always a PostgreSQL server (the old service's): no embedded half.
const describeServer = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL) console.warn('!! SKIPPED "openAgainstDatabase": set TEST_DATABASE_URL to run it');

/** A URL with a password the trust-auth server ignores, to prove it is never printed. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

describeServer('openAgainstDatabase', () => {
  let legacy: { url: string; drop(): Promise<void> };
  let empty: { url: string; drop(): Promise<void> };
  let db: Kysely<any>;

  beforeAll(async () => {
    legacy = await createTestDatabase();
    empty = await createTestDatabase();
    db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: legacy.url, max: 1 }) }) });
    await createLegacySchema(db);
    await sql`
      insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source) values
        ('2330', '2026-11-10T00:00:00Z', 1, 2, 0.5, 1.5, 100, 'old'),
        ('2330', '2026-11-11T00:00:00Z', 1, 2, 0.5, 1.6, 200, 'old'),
        ('2330', '2026-11-11T00:00:00Z', 1, 2, 0.5, 1.7, 300, 'old'),
        ('2330', '2026-11-12T00:00:00Z', null, null, null, null, null, 'old'),
        ('2317', '2026-11-11T00:00:00Z', 9, 9, 9, 9, 9, 'old')`.execute(db);
  });

  afterAll(async () => {
    await db.destroy();
    await legacy.drop();
    await empty.drop();
  });

  it('reads one symbol\'s rows in a day range, duplicates in id order, NULLs as null, whatever the session zone', async () => {
    const url = new URL(legacy.url);
    url.searchParams.set('options', '-c TimeZone=Asia/Taipei');
    const against = await openAgainstDatabase(url.toString());
    try {
      expect(against.tradeDateKind).toBe('timestamptz');
      expect(await against.rows('2330', { from: '2026-11-11', to: '2026-11-12' })).toEqual([
        { trade_date: '2026-11-11', open_price: 1, high_price: 2, low_price: 0.5, close_price: 1.6, volume: 200 },
        { trade_date: '2026-11-11', open_price: 1, high_price: 2, low_price: 0.5, close_price: 1.7, volume: 300 },
        { trade_date: '2026-11-12', open_price: null, high_price: null, low_price: null, close_price: null, volume: null },
      ]);
      expect(await against.rows('2330', {})).toHaveLength(4);
      expect(await against.rows('9999', {})).toEqual([]);
    } finally {
      await against.close();
    }
  });

  it('is read-only, even when the URL asks for the opposite, and never writes', async () => {
    const url = new URL(legacy.url);
    url.searchParams.set('options', '-c default_transaction_read_only=off');
    const against = await openAgainstDatabase(url.toString());
    try {
      expect(await against.readOnly()).toBe(true);
      await against.rows('2330', {});
    } finally {
      await against.close();
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from stock_daily_data`.execute(db);
    expect(rows[0]!.n).toBe(5);
  });

  it('never shows the password: not in its target, not when it cannot connect', async () => {
    const against = await openAgainstDatabase(withPassword(legacy.url, 'hunter2-secret'));
    expect(against.target).not.toContain('hunter2-secret');
    expect(against.target).toContain('***');
    await against.close();

    const unreachable = new URL(withPassword(legacy.url, 'hunter2-secret'));
    unreachable.port = '1';
    const error = await openAgainstDatabase(unreachable.toString(), { connectTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(String((error as Error).message)).not.toContain('hunter2-secret');
  });

  it('refuses a database without stock_daily_data, and a URL that is not one', async () => {
    await expect(openAgainstDatabase(empty.url)).rejects.toBeInstanceOf(SchemaError);
    await expect(openAgainstDatabase('postgres://user:pw@[bad')).rejects.toBeInstanceOf(UsageError);
  });
});
