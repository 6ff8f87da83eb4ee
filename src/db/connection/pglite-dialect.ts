import {
  AbortedTransactionError,
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { EmbeddedSession } from './embedded-session.js';

export interface PGliteDialectConfig {
  /** The embedded database's open session (or a factory for one). The dialect owns it: `db.destroy()` closes it. */
  session: EmbeddedSession | (() => Promise<EmbeddedSession>);
}

/**
 * Kysely dialect over an embedded PGlite. PGlite is one PostgreSQL session, so the
 * driver hands out its single connection to one holder at a time: a transaction's
 * statements never interleave with anyone else's.
 */
export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  readonly #mutex = new Mutex();
  #connection: PGliteConnection | undefined;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const source = this.#config.session;
    this.#connection = new PGliteConnection(typeof source === 'function' ? await source() : source);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.acquire();
    const connection = this.#connection;
    if (!connection) {
      release();
      throw new Error('the PGlite driver has been destroyed');
    }
    connection.release = release;
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = (connection as PGliteConnection).release;
    (connection as PGliteConnection).release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    // Wait for the current holder (a migration, a transaction) to finish before closing.
    const release = await this.#mutex.acquire();
    try {
      this.#connection = undefined;
      await connection.session.close();
    } finally {
      release();
    }
  }
}

const MODIFYING_QUERIES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

class PGliteConnection implements DatabaseConnection {
  readonly session: EmbeddedSession;
  /** Set while a holder has the connection; called to hand it to the next one. */
  release: (() => void) | undefined;

  constructor(session: EmbeddedSession) {
    this.session = session;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = [...compiledQuery.parameters];
    // Like pg: without parameters the simple protocol runs, so a raw script may hold
    // several statements; the last statement's rows are returned.
    const result =
      parameters.length === 0
        ? (await this.session.exec(compiledQuery.sql)).at(-1)
        : await this.session.query<R>(compiledQuery.sql, parameters);
    const affected = result?.affectedRows;
    const modifying = MODIFYING_QUERIES.has(compiledQuery.query.kind);
    return {
      rows: (result?.rows ?? []) as R[],
      numAffectedRows: modifying || (affected ?? 0) > 0 ? BigInt(affected ?? 0) : undefined,
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // PGlite materialises results in memory anyway; one chunk is all there is.
    yield await this.executeQuery<R>(compiledQuery);
  }

  /** PostgreSQL answers COMMIT with a ROLLBACK when an earlier statement aborted the transaction. */
  async commit(): Promise<void> {
    if (await this.session.commit()) throw new AbortedTransactionError();
  }
}

/** One holder at a time, in the order they asked. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves, when the holder before has released, with this holder's release. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => released);
    return acquired;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
