import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tableColumns, tableExists } from '../../../src/db/schema/catalog.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, MIGRATIONS, migrateToLatest, requireCurrentSchema } from '../../../src/db/schema/migrate.js';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { isCreatedByCrawler } from '../../../src/db/schema/table-owner.js';
import { describeBackends, type TestDatabase } from '../../support/databases.js';
import { createLegacySchema } from '../helpers.js';

describeBackends('migration 0002-crawl-runs', (backend) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeEach(async () => {
    database = await backend.create();
    handle = await database.open();
  });
  afterEach(async () => {
    await handle.close();
    await database.drop();
  });

  async function indexDefinitions(): Promise<string[]> {
    const { rows } = await sql<{ def: string }>`
      select indexdef as def from pg_indexes where tablename = 'crawl_runs' order by indexname`.execute(handle.db);
    return rows.map((row) => row.def);
  }

  it('creates crawl_runs on a fresh database, marks the tables the crawler created, and never creates task_execution_logs', async () => {
    expect(await migrateToLatest(handle.db)).toEqual({ applied: ['0001-adopt-or-create-tables', '0002-crawl-runs'] });
    expect(Object.fromEntries(await tableColumns(handle.db, 'crawl_runs'))).toEqual({
      id: 'text',
      job: 'text',
      shard: 'text',
      status: 'text',
      started_at: 'timestamp with time zone',
      heartbeat_at: 'timestamp with time zone',
      finished_at: 'timestamp with time zone',
      pid: 'integer',
      host: 'text',
      arguments: 'jsonb',
      progress: 'jsonb',
      summary: 'jsonb',
      task_log_id: 'bigint',
    });
    expect((await indexDefinitions()).some((def) => /\(started_at DESC\)/.test(def))).toBe(true);
    expect(await isCreatedByCrawler(handle.db, 'stocks')).toBe(true);
    expect(await isCreatedByCrawler(handle.db, 'stock_daily_data')).toBe(true);
    expect(await tableExists(handle.db, 'task_execution_logs')).toBe(false);
    expect(await requireCurrentSchema(handle.db)).toMatchObject({ current: true, pending: [] });
  });

  it('refuses a status outside the five', async () => {
    await migrateToLatest(handle.db);
    await sql`insert into crawl_runs (id, job) values ('a', 'update')`.execute(handle.db);
    const { rows } = await sql<{ status: string }>`select status from crawl_runs`.execute(handle.db);
    expect(rows).toEqual([{ status: 'running' }]);
    const error = await sql`insert into crawl_runs (id, job, status) values ('b', 'update', 'done')`
      .execute(handle.db)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23514' }); // check_violation
  });

  it('adds crawl_runs to the backend database and leaves its tables unmarked and as they were', async () => {
    await createLegacySchema(handle.db);
    const before = await tableColumns(handle.db, 'task_execution_logs');
    await migrateToLatest(handle.db);
    expect(await tableExists(handle.db, 'crawl_runs')).toBe(true);
    expect(await tableColumns(handle.db, 'task_execution_logs')).toEqual(before);
    expect(await isCreatedByCrawler(handle.db, 'stocks')).toBe(false);
    expect(await isCreatedByCrawler(handle.db, 'stock_daily_data')).toBe(false);
  });

  it('applies only 0002 to a database migrated before it existed', async () => {
    const first = Object.keys(MIGRATIONS)[0] as string;
    const older = new Migrator({
      db: handle.db,
      provider: { getMigrations: async () => ({ [first]: MIGRATIONS[first]! }) },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    expect((await older.migrateToLatest()).error).toBeUndefined();
    await expect(requireCurrentSchema(handle.db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA' });
    expect(await migrateToLatest(handle.db)).toEqual({ applied: ['0002-crawl-runs'] });
    expect(await tableExists(handle.db, 'crawl_runs')).toBe(true);
  });
});
