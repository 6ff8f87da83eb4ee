import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection/open-database.js';

/** The PostgreSQL server the server half of the suite runs against; undefined skips that half. */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;

/**
 * Creates a uniquely named database on the TEST_DATABASE_URL server, so that parallel
 * test files never see each other's tables. `drop()` removes it even with connections open.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `stock_crawler_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdminClient(async (client) => {
    await client.query(`create database "${name}"`);
  });
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdminClient(async (client) => {
        await client.query(`drop database if exists "${name}" with (force)`);
      }),
  };
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh directory for an embedded database (`dir` does not exist yet; its parent does).
 * With `initialized`, `dir` is a copy of a PGlite data directory initdb'd once per test
 * file: initdb costs seconds, a copy a fraction of one.
 */
export async function createPgliteDir(
  options: { initialized?: boolean } = {},
): Promise<{ dir: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'stock-crawler-pglite-'));
  const dir = join(root, 'db');
  if (options.initialized) await cp(await pgliteTemplate(), dir, { recursive: true });
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}

let template: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const root = await mkdtemp(join(tmpdir(), 'stock-crawler-pglite-template-'));
    const dir = join(root, 'db');
    await mkdir(dir);
    const pglite = await PGlite.create(dir);
    await pglite.close();
    process.once('exit', () => void rm(root, { recursive: true, force: true }));
    return dir;
  })();
  return template;
}

/** One empty database of a backend; `open()` may be called again after closing. */
export interface TestDatabase {
  /** The server database's URL (for code that connects on its own); undefined for the embedded one. */
  readonly url: string | undefined;
  /** Opens it without migrating; `timeZone` sets the session TimeZone of every connection. */
  open(options?: { timeZone?: string }): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

export interface TestBackend {
  kind: 'postgres' | 'pglite';
  /** `describe`, or `describe.skip` for a backend that is not configured. */
  describe(name: string, fn: () => void): void;
  create(): Promise<TestDatabase>;
}

const postgresBackend: TestBackend = {
  kind: 'postgres',
  describe(name, fn) {
    if (TEST_DATABASE_URL) {
      describe(name, fn);
      return;
    }
    // An explained skip: without a server this half cannot run. Said loudly (and again
    // by the global setup) so a green run without a server is not taken for a full one.
    console.warn(`!! SKIPPED "${name}": set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it`);
    // Skipped because no PostgreSQL server was given (TEST_DATABASE_URL unset); CI sets it.
    describe.skip(name, fn);
  },
  async create() {
    const database = await createTestDatabase();
    return {
      url: database.url,
      open: ({ timeZone } = {}) => {
        const url = new URL(database.url);
        if (timeZone) url.searchParams.set('options', `-c TimeZone=${timeZone}`);
        return openDatabase({ databaseUrl: url.toString(), dataDir: '/nonexistent', poolSize: 4 });
      },
      drop: database.drop,
    };
  },
};

const pgliteBackend: TestBackend = {
  kind: 'pglite',
  describe(name, fn) {
    describe(name, fn);
  },
  async create() {
    const { dir, remove } = await createPgliteDir({ initialized: true });
    return {
      url: undefined,
      open: async ({ timeZone } = {}) => {
        const handle = await openDatabase({ dataDir: dir, migrateEmbedded: false });
        // PGlite is one session: a SET holds for everything that follows.
        if (timeZone) await sql`select set_config('TimeZone', ${timeZone}, false)`.execute(handle.db);
        return handle;
      },
      drop: remove,
    };
  },
};

/** The PostgreSQL server at TEST_DATABASE_URL; its `describe` skips, loudly, without one. */
export const serverBackend: TestBackend = postgresBackend;

/** The embedded PGlite database; always available. */
export const embeddedBackend: TestBackend = pgliteBackend;

/** Both backends; the suite written once runs on each. */
export const backends: readonly TestBackend[] = [postgresBackend, pgliteBackend];

/** Declares `fn`'s tests once per backend, as `title [postgres]` and `title [pglite]`. */
export function describeBackends(title: string, fn: (backend: TestBackend) => void): void {
  for (const backend of backends) backend.describe(`${title} [${backend.kind}]`, () => fn(backend));
}

/** An empty database of a suite (see {@link useEmptyDatabase}). */
export interface EmptyDatabase {
  /** The database itself (its `url` for code that connects on its own). */
  readonly database: TestDatabase;
  /** The handle opened last; throws when none is open. */
  readonly handle: DatabaseHandle;
  /** `handle.db`. */
  readonly db: DatabaseHandle['db'];
  /** Closes the open handle, if any, and opens the database again (the embedded one admits one handle at a time). */
  open(options?: { timeZone?: string }): Promise<DatabaseHandle>;
}

/**
 * Declares, in the enclosing describe, an empty (unmigrated) database on `backend`: one
 * for the whole suite (`scope` 'suite', the default) or a fresh one for each test
 * ('test'). Unless `open` is false, the hook opens it with `timeZone` as the session
 * TimeZone; the handle is closed and the database dropped after the suite or test.
 */
export function useEmptyDatabase(
  backend: TestBackend,
  options: { scope?: 'suite' | 'test'; timeZone?: string; open?: boolean } = {},
): EmptyDatabase {
  let database: TestDatabase | undefined;
  let handle: DatabaseHandle | undefined;
  const closeHandle = async (): Promise<void> => {
    const open = handle;
    handle = undefined;
    await open?.close();
  };
  const suite: EmptyDatabase = {
    get database() {
      if (database === undefined) throw new Error('the test database is used outside its suite');
      return database;
    },
    get handle() {
      if (handle === undefined) throw new Error('the test database is not open');
      return handle;
    },
    get db() {
      return suite.handle.db;
    },
    async open(openOptions = {}) {
      await closeHandle();
      handle = await suite.database.open(openOptions);
      return handle;
    },
  };
  const setUp = async (): Promise<void> => {
    database = await backend.create();
    if (options.open !== false) await suite.open({ timeZone: options.timeZone });
  };
  const tearDown = async (): Promise<void> => {
    try {
      await closeHandle();
    } finally {
      const created = database;
      database = undefined;
      await created?.drop();
    }
  };
  if (options.scope === 'test') {
    beforeEach(setUp);
    afterEach(tearDown);
  } else {
    beforeAll(setUp);
    afterAll(tearDown);
  }
  return suite;
}
