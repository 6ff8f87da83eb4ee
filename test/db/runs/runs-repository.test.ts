import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { createRunsRepository, type RunStatus, type RunsRepository } from '../../../src/db/runs/runs-repository.js';
import { describeBackends } from '../../support/databases.js';
import { useMigratedDatabase } from '../helpers.js';

const SENTINEL = 's3cr3t-sentinel';

/** Arguments as a careless caller might pass them: the password in three places. */
function leakyArguments(): Record<string, unknown> {
  return {
    symbols: ['2330', '2317'],
    concurrency: 16,
    databaseUrl: `postgres://crawler:${SENTINEL}@db.example:5432/stocks`,
    argv: ['update', '--database-url', `postgres://crawler:${SENTINEL}@db.example/stocks`],
    env: { PGPASSWORD: SENTINEL },
  };
}

const summary = (message: string) => ({
  success: false,
  message: `${message} (postgres://crawler:${SENTINEL}@db.example/stocks)`,
  result: { total: 3, processed: 3, succeeded: 2, failed: 1 },
});

/** Every stored row of a table as text, to search for the sentinel. */
async function dump(handle: DatabaseHandle, table: string): Promise<string> {
  const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} as t`.execute(handle.db);
  return rows.map((row) => row.row).join('\n');
}

async function taskLog(handle: DatabaseHandle, id: number | null): Promise<Record<string, unknown> | undefined> {
  const { rows } = await sql<Record<string, unknown>>`select * from task_execution_logs where id = ${id}`.execute(handle.db);
  return rows[0];
}

describeBackends('runs repository', (backend) => {
  // The crawler's own tables, and the backend's (with task_execution_logs) adopted.
  const fresh = useMigratedDatabase(backend, 'crawler');
  const legacy = useMigratedDatabase(backend, 'legacy');
  let plain: DatabaseHandle;
  let backendDb: DatabaseHandle;
  let plainRuns: RunsRepository;
  let backendRuns: RunsRepository;

  beforeAll(() => {
    plain = fresh.handle;
    backendDb = legacy.handle;
    plainRuns = createRunsRepository(plain.db);
    backendRuns = createRunsRepository(backendDb.db);
  });

  it('records a run in crawl_runs alone where the backend table is missing', async () => {
    expect(await plainRuns.latest()).toBeNull();
    expect(await plainRuns.mirrorsToTaskLog()).toBe(false);
    const started = await plainRuns.start({
      id: 'run-1', job: 'update', shard: '2/4', arguments: leakyArguments(), pid: 4242, host: 'node-a', total: 3,
    });
    expect(started).toEqual({ taskLogId: null });
    const running = await plainRuns.latest();
    expect(running).toMatchObject({
      id: 'run-1', job: 'update', shard: '2/4', status: 'running', pid: 4242, host: 'node-a',
      finishedAt: null, progress: null, summary: null, taskLogId: null,
      arguments: { symbols: ['2330', '2317'], concurrency: 16, databaseUrl: 'postgres://crawler:***@db.example:5432/stocks' },
    });
    expect(running?.startedAt).toBeInstanceOf(Date);

    await plainRuns.progress('run-1', { processed: 2, total: 3, succeeded: 1, failed: 1 });
    const moving = await plainRuns.latest();
    expect(moving?.progress).toEqual({ processed: 2, total: 3, succeeded: 1, failed: 1 });
    expect(moving?.heartbeatAt.getTime()).toBeGreaterThanOrEqual(running?.heartbeatAt.getTime() ?? Infinity);

    await plainRuns.finish('run-1', 'partial', summary('1 symbol failed'));
    const done = await plainRuns.latest();
    expect(done).toMatchObject({ status: 'partial', progress: { processed: 2 }, summary: { success: false } });
    expect(done?.finishedAt).toBeInstanceOf(Date);
    // Progress arriving after the end changes nothing.
    await plainRuns.progress('run-1', { processed: 3, total: 3, succeeded: 2, failed: 1 });
    expect((await plainRuns.latest())?.progress).toEqual({ processed: 2, total: 3, succeeded: 1, failed: 1 });
    expect(await dump(plain, 'crawl_runs')).not.toContain(SENTINEL);
  });

  it('answers latest() with the newest run, of a job when asked', async () => {
    await plainRuns.start({ id: 'run-2', job: 'backfill', arguments: {}, pid: 1, host: 'h' });
    await plainRuns.start({ id: 'run-3', job: 'update', arguments: {}, pid: 1, host: 'h' });
    expect((await plainRuns.latest())?.id).toBe('run-3');
    expect((await plainRuns.latest('backfill'))?.id).toBe('run-2');
    expect(await plainRuns.latest('nope')).toBeNull();
  });

  it('refuses to finish a run it never started', async () => {
    const error = await plainRuns.finish('no-such-run', 'failed', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_INTERNAL' });
  });

  it('asks once whether task_execution_logs exists', async () => {
    const runs = createRunsRepository(plain.db);
    expect(await runs.mirrorsToTaskLog()).toBe(false);
    await sql`create table task_execution_logs (id bigserial primary key)`.execute(plain.db);
    try {
      await runs.start({ id: 'run-4', job: 'update', arguments: {}, pid: 1, host: 'h' });
      expect(await runs.mirrorsToTaskLog()).toBe(false);
      // A table without the backend's columns is left alone as if absent.
      expect(await createRunsRepository(plain.db).mirrorsToTaskLog()).toBe(false);
    } finally {
      await sql`drop table task_execution_logs`.execute(plain.db);
    }
  });

  it('mirrors a run into the backend task_execution_logs: start, progress, finish', async () => {
    expect(await backendRuns.mirrorsToTaskLog()).toBe(true);
    const { taskLogId } = await backendRuns.start({
      id: 'run-b1', job: 'update', shard: null, arguments: leakyArguments(), pid: 7, host: 'node-b', total: 300,
    });
    expect(taskLogId).toEqual(expect.any(Number));
    expect((await backendRuns.latest())?.taskLogId).toBe(taskLogId);
    const started = await taskLog(backendDb, taskLogId);
    expect(started).toMatchObject({
      task_name: 'stock-crawler update', task_type: 'crawl', status: 'running', total_count: 300,
      processed_count: 0, success_count: 0, error_count: 0, progress: 0, end_time: null, created_by: 'stock-crawler',
    });
    expect(JSON.parse(started?.parameters as string)).toMatchObject({
      run_id: 'run-b1', job: 'update', shard: null, arguments: { symbols: ['2330', '2317'], env: { PGPASSWORD: '***' } },
    });

    await backendRuns.progress('run-b1', { processed: 150, total: 300, succeeded: 149, failed: 1 });
    expect(await taskLog(backendDb, taskLogId)).toMatchObject({
      status: 'running', processed_count: 150, total_count: 300, success_count: 149, error_count: 1, progress: 50,
    });

    await backendRuns.finish('run-b1', 'partial', summary('2 of 300 symbols failed'), {
      counts: { processed: 300, total: 300, succeeded: 298, failed: 2 },
    });
    const finished = await taskLog(backendDb, taskLogId);
    expect(finished).toMatchObject({
      status: 'completed', processed_count: 300, success_count: 298, error_count: 2, progress: 100,
      error_message: expect.stringContaining('2 of 300 symbols failed'),
    });
    expect(finished?.end_time).toBeInstanceOf(Date);
    expect(finished?.duration_seconds).toEqual(expect.any(Number));
    expect(finished?.duration_seconds as number).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(finished?.result_summary as string)).toMatchObject({ result: { failed: 1 } });
    expect(await backendRuns.latest()).toMatchObject({ status: 'partial', progress: { processed: 300, failed: 2 } });

    expect(await dump(backendDb, 'task_execution_logs')).not.toContain(SENTINEL);
    expect(await dump(backendDb, 'crawl_runs')).not.toContain(SENTINEL);
  });

  const mapping: Array<[Exclude<RunStatus, 'running'>, string, boolean]> = [
    ['succeeded', 'completed', false],
    ['partial', 'completed', true],
    ['failed', 'failed', true],
    ['interrupted', 'cancelled', true],
  ];
  for (const [status, logged, hasMessage] of mapping) {
    it(`maps ${status} to task status ${logged}`, async () => {
      const id = `run-${status}`;
      const { taskLogId } = await backendRuns.start({ id, job: 'update', arguments: {}, pid: 1, host: 'h', total: 4 });
      await backendRuns.progress(id, { processed: 2, total: 4, succeeded: 2, failed: 0 });
      await backendRuns.finish(id, status, { success: status === 'succeeded', message: `${status} run` });
      const row = await taskLog(backendDb, taskLogId);
      expect(row).toMatchObject({
        status: logged,
        processed_count: 2, // the last progress stands when finish brings no counts
        progress: status === 'succeeded' ? 100 : 50,
        error_message: hasMessage ? `${status} run` : null,
      });
      expect((await backendRuns.latest())?.status).toBe(status);
    });
  }

  it('takes an explicit error message over the summary', async () => {
    const { taskLogId } = await backendRuns.start({ id: 'run-msg', job: 'update', arguments: {}, pid: 1, host: 'h' });
    await backendRuns.finish('run-msg', 'failed', { message: 'from summary' }, { errorMessage: 'every mirror down' });
    expect(await taskLog(backendDb, taskLogId)).toMatchObject({ status: 'failed', error_message: 'every mirror down' });
  });
});
