import { inspect } from 'node:util';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSchema } from '../../../src/db/schema/migrate.js';
import { openDatabase } from '../../../src/db/connection/open-database.js';
import { DatabaseUnavailableError, LockHeldError, UsageError } from '../../../src/errors.js';
import { createPgliteDir, createTestDatabase, serverBackend } from '../../support/databases.js';
import { freePort as closedPort } from '../../support/ports.js';

const SENTINEL = 's3cr3t-sentinel';


describe('openDatabase with a server URL', () => {
  it('reports an unreachable server without ever showing the password', async () => {
    const url = `postgres://postgres:${SENTINEL}@127.0.0.1:${await closedPort()}/test`;
    const error = await openDatabase({ databaseUrl: url, dataDir: '/nonexistent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ code: 'E_DB_UNAVAILABLE' });
    expect((error as Error).message).toContain('127.0.0.1');
    expect((error as Error).message).toContain('***');
    // The whole error, cause chain included, as a logger would print it.
    expect(inspect(error, { depth: 10 })).not.toContain(SENTINEL);
    expect(JSON.stringify(error)).not.toContain(SENTINEL);
  });

  it('refuses a URL that is not one', async () => {
    const error = await openDatabase({ databaseUrl: `not a url ${SENTINEL}`, dataDir: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
  });
});

// Needs a server: skipped, loudly, without TEST_DATABASE_URL.
serverBackend.describe('openDatabase against TEST_DATABASE_URL [postgres]', () => {
  it('connects, names itself, and does not migrate on its own', async () => {
    const database = await createTestDatabase();
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent', applicationName: 'sc-test' });
    try {
      expect(handle.kind).toBe('postgres');
      const { rows } = await sql<{ name: string }>`select current_setting('application_name') as name`.execute(handle.db);
      expect(rows).toEqual([{ name: 'sc-test' }]);
      expect((await checkSchema(handle.db)).applied).toEqual([]);
    } finally {
      await handle.close();
      await database.drop();
    }
  });

  it('opens as many connections as asked before returning, each a session of the server, kept for the first reads', async () => {
    const database = await createTestDatabase();
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent', applicationName: 'sc-open-two', openConnections: 2 });
    try {
      expect(handle.pool?.totalCount).toBe(2);
      expect(handle.pool?.idleCount).toBe(2);
      const { rows } = await sql<{ sessions: number }>`select count(*)::int as sessions from pg_stat_activity where application_name = 'sc-open-two'`.execute(
        handle.db,
      );
      expect(rows).toEqual([{ sessions: 2 }]);
      // Two reads at once run on the two sessions already open: no third is started.
      await Promise.all([sql`select pg_sleep(0.05)`.execute(handle.db), sql`select pg_sleep(0.05)`.execute(handle.db)]);
      expect(handle.pool?.totalCount).toBe(2);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});

describe('openDatabase without a URL (embedded PGlite)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('creates, migrates and reopens the data directory; first open vs reopen time', async () => {
    const { dir, remove } = await createPgliteDir();
    cleanups.push(remove);

    let started = performance.now();
    const first = await openDatabase({ dataDir: dir });
    const firstOpenMs = performance.now() - started;
    expect(first.kind).toBe('pglite');
    expect(await checkSchema(first.db)).toMatchObject({ current: true, flavour: 'crawler' });
    await first.close();

    started = performance.now();
    const again = await openDatabase({ dataDir: dir });
    const reopenMs = performance.now() - started;
    expect(await checkSchema(again.db)).toMatchObject({ current: true });
    await again.close();

    // Reported, not asserted: timings depend on the machine and its load.
    console.info(
      `PGlite first open (initdb + migrate): ${firstOpenMs.toFixed(0)} ms; reopen: ${reopenMs.toFixed(0)} ms`,
    );
  });

  it('refuses a second open of a data directory in use, and frees it on close', async () => {
    const { dir, remove } = await createPgliteDir({ initialized: true });
    cleanups.push(remove);
    const first = await openDatabase({ dataDir: dir, migrateEmbedded: false });
    try {
      const error = await openDatabase({ dataDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockHeldError);
      expect(error).toMatchObject({ code: 'E_LOCK_HELD', pid: process.pid });
    } finally {
      await first.close();
    }
    const second = await openDatabase({ dataDir: dir, migrateEmbedded: false });
    await second.close();
  });
});
