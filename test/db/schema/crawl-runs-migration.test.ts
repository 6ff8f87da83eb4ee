import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { tableColumns, tableExists } from '../../../src/db/schema/catalog.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, MIGRATIONS, migrateToLatest, requireCurrentSchema } from '../../../src/db/schema/migrate.js';
import { isCreatedByCrawler } from '../../../src/db/schema/table-owner.js';
import { describeBackends, useEmptyDatabase } from '../../support/databases.js';
import { createLegacySchema } from '../helpers.js';

describeBackends('migration 0002-crawl-runs', (backend) => {
  const fresh = useEmptyDatabase(backend, { scope: 'test' });

  async function indexDefinitions(): Promise<string[]> {
    const { rows } = await sql<{ def: string }>`
      select indexdef as def from pg_indexes where tablename = 'crawl_runs' order by indexname`.execute(fresh.db);
    return rows.map((row) => row.def);
  }

  it('creates crawl_runs on a fresh database, marks the tables the crawler created, and never creates task_execution_logs', async () => {
    const { applied } = await migrateToLatest(fresh.db);
    // Later migrations may follow; these two come first.
    expect(applied.slice(0, 2)).toEqual(['0001-adopt-or-create-tables', '0002-crawl-runs']);
    expect(applied).toEqual(Object.keys(MIGRATIONS));
    expect(Object.fromEntries(await tableColumns(fresh.db, 'crawl_runs'))).toEqual({
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
    expect(await isCreatedByCrawler(fresh.db, 'stocks')).toBe(true);
    expect(await isCreatedByCrawler(fresh.db, 'stock_daily_data')).toBe(true);
    expect(await tableExists(fresh.db, 'task_execution_logs')).toBe(false);
    expect(await requireCurrentSchema(fresh.db)).toMatchObject({ current: true, pending: [] });
  });

  it('refuses a status outside the five', async () => {
    await migrateToLatest(fresh.db);
    await sql`insert into crawl_runs (id, job) values ('a', 'update')`.execute(fresh.db);
    const { rows } = await sql<{ status: string }>`select status from crawl_runs`.execute(fresh.db);
    expect(rows).toEqual([{ status: 'running' }]);
    const error = await sql`insert into crawl_runs (id, job, status) values ('b', 'update', 'done')`
      .execute(fresh.db)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23514' }); // check_violation
  });

  it('adds crawl_runs to the backend database and leaves its tables unmarked and as they were', async () => {
    await createLegacySchema(fresh.db);
    const before = await tableColumns(fresh.db, 'task_execution_logs');
    await migrateToLatest(fresh.db);
    expect(await tableExists(fresh.db, 'crawl_runs')).toBe(true);
    expect(await tableColumns(fresh.db, 'task_execution_logs')).toEqual(before);
    expect(await isCreatedByCrawler(fresh.db, 'stocks')).toBe(false);
    expect(await isCreatedByCrawler(fresh.db, 'stock_daily_data')).toBe(false);
  });

  it('applies 0002 and what follows, not 0001 again, to a database migrated before it existed', async () => {
    const first = Object.keys(MIGRATIONS)[0] as string;
    const older = new Migrator({
      db: fresh.db,
      provider: { getMigrations: async () => ({ [first]: MIGRATIONS[first]! }) },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    expect((await older.migrateToLatest()).error).toBeUndefined();
    await expect(requireCurrentSchema(fresh.db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA' });
    const { applied } = await migrateToLatest(fresh.db);
    expect(applied[0]).toBe('0002-crawl-runs');
    expect(applied).toEqual(Object.keys(MIGRATIONS).slice(1));
    expect(await tableExists(fresh.db, 'crawl_runs')).toBe(true);
  });
});
