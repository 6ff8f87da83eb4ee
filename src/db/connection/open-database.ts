import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DatabaseUnavailableError, UsageError } from '../../errors.js';
import { redactUrlPassword, withoutPassword } from '../../redact-password.js';
import { acquireDataDirLock } from '../locks/data-dir-lock.js';
import { migrateToLatest } from '../schema/migrate.js';
import { restoreDeferredIndexes } from '../schema/deferred-indexes.js';
import type { Database } from '../schema/tables.js';
import { embeddedBulkTransaction, serverBulkTransaction, type BulkTransaction } from './bulk-transaction.js';
import { TYPE_PARSERS } from './type-parsers.js';

/** An open database; whoever opened it calls `close()` in a `finally`. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** Transactions on a connection of their own, for COPY (which Kysely cannot speak). */
  bulk: BulkTransaction;
  /** The server's connection pool behind `db`; absent for the embedded database. */
  pool?: pg.Pool;
  /**
   * The embedded database only: moves it to a thread of its own, where its statements run
   * beside the crawl instead of in turn with it (a bulk load). Resolves false, with the
   * reason, when it stayed on the crawler's thread.
   */
  moveToOwnThread?: () => Promise<{ moved: boolean; error?: unknown }>;
  /** Where it is, safe to log: the URL with its password redacted, or the data directory. */
  target: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL of a server; without it, the embedded database in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** Data directory of the embedded database (created if missing). */
  dataDir: string;
  /** Connections in the pool (server only). Default 10. */
  poolSize?: number | undefined;
  /** Shown in pg_stat_activity. Default 'stock-crawler'. */
  applicationName?: string | undefined;
  /** How long to wait for a server connection. Default 10 000 ms. */
  connectTimeoutMs?: number | undefined;
  /**
   * Server connections opened before returning, all at once. Default 1. A command that
   * reads on two connections from its start gets the second in the same round trip instead
   * of after it (a connection costs the server a process start: tens of milliseconds).
   */
  openConnections?: number | undefined;
  /** Migrate the embedded database on open. Default true; a server is migrated only by `migrate`. */
  migrateEmbedded?: boolean | undefined;
}

/**
 * Opens the database the CLI works on: a PostgreSQL server when a URL is given
 * (connectivity is checked before returning), otherwise an embedded PGlite in
 * `dataDir`, which migrates itself. Both go through the same Kysely code.
 * @throws DatabaseUnavailableError (its message never holds the password); LockHeldError when
 * another live process has the embedded data directory open;
 * UsageError for a URL that cannot be parsed.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl ? openServer(options.databaseUrl, options) : openEmbedded(options);
}

async function openServer(url: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const target = redactUrlPassword(url);
  if (!URL.canParse(url)) throw new UsageError(`the database URL is not a valid URL: ${target}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'stock-crawler',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: { getTypeParser: getTypeParser as typeof pg.types.getTypeParser },
  });
  // An idle client whose server goes away emits 'error' on the pool; unhandled, that
  // would kill the process. The next query reports the failure where it can be handled.
  pool.on('error', () => undefined);
  // A client checked out when the server goes away emits 'error' on itself, not on the
  // pool; its query rejects all the same, so the listener only keeps the process alive.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const opening = Array.from({ length: Math.max(1, options.openConnections ?? 1) }, () => pool.connect());
    const opened = await Promise.allSettled(opening);
    for (const result of opened) if (result.status === 'fulfilled') result.value.release();
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = withoutPassword(describeFailure(error), url);
    throw new DatabaseUnavailableError(`cannot connect to ${target}: ${reason}`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', bulk: serverBulkTransaction(pool), pool, target, close: () => db.destroy() };
}

/**
 * Server settings of the embedded database, given at each start. PGlite is one backend in
 * this process (single-user mode, fsync off), so the server defaults, sized for a shared
 * machine, cost the crawler's own memory and disk:
 * - shared_buffers: the default 128 MB sits in this process's WebAssembly memory from the
 *   first query on; the operating system's page cache holds the table's pages anyway. A
 *   nightly run reads every symbol's newest bars and so fills whatever is given: 4 MB keeps
 *   it ~13 MB lower than 16 MB, for a first backfill ~25 % slower (its index pages are
 *   written back and read again more often). The nightly run is the one that recurs.
 * - max_wal_size / min_wal_size: a single-user backend checkpoints by itself only when WAL
 *   passes max_wal_size (1 GB by default), and keeps about that much for reuse: a backfill
 *   left a gigabyte of WAL beside the table. A checkpoint every 64 MB keeps it small.
 * - full_page_writes: protects pages torn by a power cut half-way through a write, which
 *   with fsync off are not protected in the first place; it doubles the WAL after each
 *   checkpoint.
 */
const EMBEDDED_SETTINGS = [
  ['shared_buffers', '4MB'],
  ['max_wal_size', '64MB'],
  ['min_wal_size', '32MB'],
  ['full_page_writes', 'off'],
].flatMap(([name, value]) => ['-c', `${name}=${value}`]);

async function openEmbedded(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const dataDir = options.dataDir;
  await mkdir(dataDir, { recursive: true });
  const lock = await acquireDataDirLock(dataDir);
  // Loaded only here: a server run should not pay for the embedded database's modules.
  const [{ openSessionHere, MovableSession }, { PGliteDialect }] = await Promise.all([import('./embedded-session.js'), import('./pglite-dialect.js')]);
  const openHere = () => openSessionHere(dataDir, EMBEDDED_SETTINGS);
  let session: InstanceType<typeof MovableSession>;
  try {
    session = new MovableSession(await openHere());
  } catch (error) {
    await lock.release();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${dataDir}: ${reason}`, {
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ session }) });
  const close = async (): Promise<void> => {
    try {
      await db.destroy();
    } finally {
      await lock.release();
    }
  };
  try {
    if (options.migrateEmbedded ?? true) {
      await migrateToLatest(db);
      // A bulk load that was killed before it built its indexes again (see deferred-indexes.ts).
      await restoreDeferredIndexes(db);
    }
  } catch (error) {
    await close();
    throw error;
  }
  // Holding the one connection: no transaction is open across the move.
  const moveToOwnThread = () =>
    db.connection().execute(async () => {
      const { startPgliteThread } = await import('./pglite-thread.js');
      return session.move(() => startPgliteThread({ dataDir, settings: EMBEDDED_SETTINGS }), openHere);
    });
  return { db, kind: 'pglite', bulk: embeddedBulkTransaction(db, session), moveToOwnThread, target: dataDir, close };
}

/** Node reports some refusals (an AggregateError of IPv4 and IPv6 attempts) with an empty message. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) return error.errors.map(describeFailure).join('; ');
  return (error as NodeJS.ErrnoException).code ?? error.name;
}

function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  return TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format);
}
