import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError, LockHeldError } from '../../../src/errors.js';
import { acquireRunLock, runLockName, type RunLock, type RunLockKey } from '../../../src/db/locks/run-lock.js';
import { createRunsRepository } from '../../../src/db/runs/runs-repository.js';
import { serverBackend } from '../../support/databases.js';
import { useMigratedDatabase } from '../helpers.js';

const ALL: RunLockKey = { job: 'update', shard: null };

/** A clock that only moves when slept on; `onSleep` runs at each sleep (the n-th, from 1). */
function fakeTime(onSleep: (n: number) => Promise<void> | void = () => undefined) {
  let now = 1_000_000;
  let sleeps = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      await onSleep(++sleeps);
    },
    sleeps: () => sleeps,
  };
}

/** A raw session holding `key`'s advisory lock, as another crawler process would. */
async function rawHolder(url: string, key: RunLockKey): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // it is killed on purpose below
  await client.connect();
  await client.query('select pg_advisory_lock(hashtext($1), hashtext($2))', ['stock-crawler', runLockName(key)]);
  return client;
}

serverBackend.describe('run lock [postgres]', () => {
  const database = useMigratedDatabase(serverBackend, 'crawler');
  // The lock connects on its own; an undefined URL would be the embedded no-op lock.
  const url = (): string => database.url ?? expect.fail('a server database has a URL');
  const held: RunLock[] = [];

  const acquire = async (key: RunLockKey, options: Parameters<typeof acquireRunLock>[2] = {}): Promise<RunLock> => {
    const lock = await acquireRunLock(url(), key, options);
    held.push(lock);
    return lock;
  };
  const refusal = (key: RunLockKey, options: Parameters<typeof acquireRunLock>[2] = {}) =>
    acquireRunLock(url(), key, options).then(
      () => expect.fail('the lock was taken twice'),
      (error: unknown) => error,
    );

  afterEach(async () => {
    await Promise.all(held.splice(0).map((lock) => lock.release()));
    await sql`delete from crawl_runs`.execute(database.db);
  });

  it('refuses a second holder of the same shard at once, naming the running run and its start', async () => {
    await acquire(ALL);
    const runs = createRunsRepository(database.db);
    await runs.start({ id: 'run-stale', job: 'update', arguments: {}, pid: 1, host: 'gone' });
    // A row left `running` by a killed process: its heartbeat stopped an hour ago.
    await sql`update crawl_runs set heartbeat_at = now() - interval '1 hour', started_at = now() - interval '2 hours'`.execute(database.db);
    await runs.start({ id: 'run-holder', job: 'update', arguments: {}, pid: 4242, host: 'node-a' });
    await runs.start({ id: 'run-other-shard', job: 'update', shard: '1/4', arguments: {}, pid: 7, host: 'node-b' });

    const started = Date.now();
    const error = await refusal(ALL);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(LockHeldError);
    expect(error).toMatchObject({ code: 'E_LOCK_HELD', runId: 'run-holder', pid: 4242 });
    const { rows } = await sql<{ started_at: Date }>`select started_at from crawl_runs where id = 'run-holder'`.execute(database.db);
    expect((error as LockHeldError).startedAt?.toISOString()).toBe(rows[0]!.started_at.toISOString());
    expect((error as Error).message).toContain('run-holder');
    expect((error as Error).message).toContain(rows[0]!.started_at.toISOString());
  });

  it('still refuses when the holder has not recorded its run yet', async () => {
    await acquire(ALL);
    const error = await refusal(ALL);
    expect(error).toMatchObject({ code: 'E_LOCK_HELD', runId: undefined });
  });

  it('runs shards side by side, and keeps jobs apart', async () => {
    await acquire({ job: 'update', shard: '0/2' });
    await acquire({ job: 'update', shard: '1/2' });
    await acquire({ job: 'backfill', shard: null });
    expect(await refusal({ job: 'update', shard: '1/2' })).toBeInstanceOf(LockHeldError);
  });

  it('keeps an unsharded run and sharded ones apart, naming the holder and its shard', async () => {
    const shard = await acquire({ job: 'update', shard: '1/4' });
    const runs = createRunsRepository(database.db);
    await runs.start({ id: 'run-shard-1', job: 'update', shard: '1/4', arguments: {}, pid: 11, host: 'node-b' });
    const whole = await refusal(ALL);
    expect(whole).toMatchObject({ code: 'E_LOCK_HELD', runId: 'run-shard-1', pid: 11 });
    expect((whole as Error).message).toContain('shard 1/4');
    await shard.release();
    await sql`delete from crawl_runs`.execute(database.db);

    await acquire(ALL);
    await runs.start({ id: 'run-whole', job: 'update', arguments: {}, pid: 12, host: 'node-a' });
    const part = await refusal({ job: 'update', shard: '0/4' });
    expect(part).toMatchObject({ code: 'E_LOCK_HELD', runId: 'run-whole', pid: 12 });
    expect((part as Error).message).toContain('unsharded');
  });

  it('holds no part of the lock while waiting: an unsharded run is not starved by a waiting shard', async () => {
    const holder = await acquireRunLock(url(), { job: 'update', shard: '0/2' });
    let whole: RunLock | undefined;
    const time = fakeTime(async (n) => {
      if (n !== 1) return;
      await holder.release();
      // Had the waiting shard kept its shared 'all' lock between tries, this would be refused.
      whole = await acquire(ALL);
    });
    const error = await refusal({ job: 'update', shard: '0/2' }, { waitMs: 2_000, pollMs: 1_000, ...time });
    expect(whole).toBeDefined();
    expect(error).toBeInstanceOf(LockHeldError);
  });

  it('lets the next run in once released; release is idempotent', async () => {
    const first = await acquireRunLock(url(), ALL);
    await first.release();
    await first.release();
    await acquire(ALL);
  });

  it('waits for a holder that lets go within the wait', async () => {
    const holder = await acquireRunLock(url(), ALL);
    const info = vi.fn();
    const time = fakeTime(async (n) => {
      if (n === 3) await holder.release();
    });
    await acquire(ALL, { waitMs: 10_000, pollMs: 1_000, ...time, logger: { info, warn: vi.fn() } });
    expect(time.sleeps()).toBe(3);
    expect(info.mock.calls.map((call) => call[1])).toEqual(['another run holds the run lock: waiting', 'run lock taken']);
  });

  it('gives up when the holder keeps it past the wait', async () => {
    await acquire(ALL);
    await createRunsRepository(database.db).start({ id: 'run-slow', job: 'update', arguments: {}, pid: 1, host: 'h' });
    const time = fakeTime();
    const error = await refusal(ALL, { waitMs: 3_500, pollMs: 1_000, ...time });
    expect(error).toMatchObject({ code: 'E_LOCK_HELD', runId: 'run-slow' });
    // Slept 1 + 1 + 1 + 0.5 s: the last try is at the deadline, not after it.
    expect(time.sleeps()).toBe(4);
    expect(time.now()).toBe(1_000_000 + 3_500);
  });

  it('stops waiting on a signal', async () => {
    await acquire(ALL);
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGTERM'), 100);
    const started = Date.now();
    const error = await refusal(ALL, { waitMs: 60_000, pollMs: 10_000, signal: controller.signal });
    expect(error).toMatchObject({ code: 'E_LOCK_HELD' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('dies with the holder\'s session: a dropped connection or a terminated backend frees it', async () => {
    const dropped = await rawHolder(url(), ALL);
    expect(await refusal(ALL)).toBeInstanceOf(LockHeldError);
    // The process vanishes without a word to the server, as a SIGKILL-ed one does.
    (dropped as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    // The server notices the closed socket at once; the wait only covers its bookkeeping.
    await acquire(ALL, { waitMs: 5_000, pollMs: 20 }).then((lock) => lock.release());

    const terminated = await rawHolder(url(), ALL);
    const { rows } = await terminated.query<{ pid: number }>('select pg_backend_pid() as pid');
    expect(await refusal(ALL)).toBeInstanceOf(LockHeldError);
    await sql`select pg_terminate_backend(${rows[0]!.pid}::int)`.execute(database.db);
    await acquire(ALL, { waitMs: 5_000, pollMs: 20 });
    await terminated.end().catch(() => undefined);
  });

  it('survives losing its own session: logged, no crash, release still resolves', async () => {
    const warn = vi.fn();
    const info = vi.fn();
    const lock = await acquire(ALL, { logger: { info, warn } });
    // Only this database's lock session: runs of other suites on the same server are not ours to end.
    await sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'stock-crawler update:all lock' and datname = current_database()`.execute(database.db);
    await vi.waitFor(() => expect(warn).toHaveBeenCalled(), { timeout: 5_000 });
    expect(warn.mock.calls[0]![1]).toMatch(/lost the run lock/);
    // Its one try at taking the lock again (reacquireMs 0) ends either way before the release:
    // release() does not wait for a try in flight, whose new session could outlive it.
    const retook = () => info.mock.calls.some((call) => call[1] === 'run lock taken again');
    await vi.waitFor(() => expect(retook() || lock.lost.aborted).toBe(true), { timeout: 5_000 });
    await lock.release();
    expect(await lockHolders()).toEqual([]);
  });

  const lockHolders = () =>
    sql<{ pid: number; application_name: string }>`
      select l.pid, a.application_name from pg_locks l join pg_stat_activity a using (pid)
      where l.locktype = 'advisory' and l.granted and a.datname = current_database()`.execute(database.db).then((result) => result.rows);

  it('takes the lock again on a new session when its own is lost, and still holds it', async () => {
    const info = vi.fn();
    const lock = await acquire(ALL, { reacquireMs: 10_000, logger: { info, warn: vi.fn() } });
    const [before] = await lockHolders();
    await sql`select pg_terminate_backend(${before!.pid}::int)`.execute(database.db);
    await vi.waitFor(() => expect(info).toHaveBeenCalledWith(expect.anything(), 'run lock taken again'), { timeout: 5_000 });
    const after = await lockHolders();
    expect(after).toHaveLength(1);
    expect(after[0]!.pid).not.toBe(before!.pid);
    expect(after[0]!.application_name).toBe('stock-crawler update:all lock');
    expect(await refusal(ALL)).toBeInstanceOf(LockHeldError);
    expect(lock.lost.aborted).toBe(false);
    await lock.release();
    expect(await lockHolders()).toEqual([]);
  });

  it('says the lock is lost (LockHeldError) when another run took it while its session was gone', async () => {
    const lock = await acquire(ALL, { reacquireMs: 10_000 });
    const [ours] = await lockHolders();
    // Another run already waits in pg_advisory_lock: the server hands it the lock as our session ends.
    const other = rawHolder(url(), ALL);
    await vi.waitFor(async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(database.db);
      expect(rows[0]!.n).toBe(1);
    }, { timeout: 5_000 });
    await sql`select pg_terminate_backend(${ours!.pid}::int)`.execute(database.db);
    const holder = await other;
    try {
      await vi.waitFor(() => expect(lock.lost.aborted).toBe(true), { timeout: 5_000 });
      expect(lock.lost.reason).toBeInstanceOf(LockHeldError);
    } finally {
      await holder.end();
    }
  });
});

describe('run lock, without a server', () => {
  it('is a no-op on the embedded database (its data directory lock keeps other processes out)', async () => {
    const first = await acquireRunLock(undefined, ALL);
    const second = await acquireRunLock(undefined, ALL);
    await first.release();
    await second.release();
  });

  it('reports a server it cannot reach as unavailable, without the password', async () => {
    const error = await acquireRunLock('postgres://crawler:s3cr3t-sentinel@127.0.0.1:1/none', ALL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).not.toContain('s3cr3t-sentinel');
  });
});
