import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MovableSession, type EmbeddedSession } from '../../../src/db/connection/embedded-session.js';
import { openDatabase } from '../../../src/db/connection/open-database.js';
import { startPgliteThread } from '../../../src/db/connection/pglite-thread.js';
import { createPgliteDir } from '../../support/databases.js';

/** A session that answers with its name and records what it was asked. */
function namedSession(name: string, log: string[]): EmbeddedSession {
  return {
    query: async <R>(text: string) => ({ rows: [{ name, text }] as R[] }),
    exec: async (text) => [{ rows: [{ name, text }] }],
    commit: async () => false,
    close: async () => void log.push(`close ${name}`),
  };
}

describe('MovableSession', () => {
  it('closes the old session before opening the new one, and calls made meanwhile land on the new one', async () => {
    const log: string[] = [];
    const session = new MovableSession(namedSession('here', log));
    let open!: (value: EmbeddedSession) => void;
    const moving = session.move(() => new Promise((resolve) => (open = resolve)), async () => namedSession('back', log));
    const during = session.query<{ name: string }>('select 1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['close here']);
    open(namedSession('thread', log));
    expect(await moving).toEqual({ moved: true });
    expect((await during).rows[0]?.name).toBe('thread');
    expect((await session.exec('select 2'))[0]?.rows[0]).toEqual({ name: 'thread', text: 'select 2' });
  });

  it('reopens where it was when the new session cannot open, and says why', async () => {
    const log: string[] = [];
    const session = new MovableSession(namedSession('here', log));
    const failure = new Error('no thread');
    const outcome = await session.move(() => Promise.reject(failure), async () => namedSession('back', log));
    expect(outcome).toEqual({ moved: false, error: failure });
    expect((await session.query<{ name: string }>('select 1')).rows[0]?.name).toBe('back');
  });
});

describe('startPgliteThread (a real worker thread, a real data directory)', () => {
  it('answers statements, tells a commit that rolled back, and passes PostgreSQL error fields across', async () => {
    const { dir, remove } = await createPgliteDir({ initialized: true });
    const session = await startPgliteThread({ dataDir: dir, settings: ['-c', 'shared_buffers=4MB'] });
    try {
      await session.exec('create table t (k int primary key, v numeric(12,4), d date)');
      const copy = new TextEncoder().encode('1\t1.5\t2024-01-02\n2\t2.25\t2024-01-03\n');
      expect((await session.query(`copy t from '/dev/blob'`, [], { blob: copy })).affectedRows).toBe(2);
      // The same type parsers as on the main thread: numeric as a number, a date as its day.
      expect((await session.query('select * from t where k = $1', [2])).rows).toEqual([{ k: 2, v: 2.25, d: '2024-01-03' }]);
      const duplicate = await session.query('insert into t values (1, 0, null)').catch((error: unknown) => error);
      expect(duplicate).toMatchObject({ code: '23505', message: expect.stringContaining('duplicate key') });

      await session.exec('begin');
      await session.exec('select 1 / 0').catch(() => undefined);
      expect(await session.commit()).toBe(true);
      await session.exec('begin');
      expect(await session.commit()).toBe(false);
    } finally {
      await session.close();
      await remove();
    }
    await expect(session.query('select 1')).rejects.toThrow(/thread ended/);
  });

  it('rejects the open when PGlite cannot open the directory', async () => {
    await expect(startPgliteThread({ dataDir: '/proc/version/db', settings: [] })).rejects.toThrow();
  });
});

describe('an embedded database moved to a thread of its own', () => {
  it('keeps its data and its lock', async () => {
    const { dir, remove } = await createPgliteDir();
    const handle = await openDatabase({ dataDir: dir });
    try {
      await sql`create table kept (name text)`.execute(handle.db);
      await sql`insert into kept values ('TSMC')`.execute(handle.db);
      expect(await handle.moveToOwnThread?.()).toEqual({ moved: true });
      const { rows } = await sql<{ name: string }>`select name from kept`.execute(handle.db);
      expect(rows).toEqual([{ name: 'TSMC' }]);
      await expect(openDatabase({ dataDir: dir })).rejects.toMatchObject({ code: 'E_LOCK_HELD' });
    } finally {
      await handle.close();
      await remove();
    }
  });
});
