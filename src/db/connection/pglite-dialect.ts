import { Mutex, protocol, type PGlite } from '@electric-sql/pglite';
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

/** The part of PGlite the dialect uses. */
export type PGliteLike = Pick<PGlite, 'query' | 'exec' | 'execProtocol' | 'close' | 'waitReady'>;

export interface PGliteDialectConfig {
  /** An open PGlite (or a factory for one). The dialect owns it: `db.destroy()` closes it. */
  pglite: PGliteLike | (() => Promise<PGliteLike>);
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
    const source = this.#config.pglite;
    const pglite = typeof source === 'function' ? await source() : source;
    await pglite.waitReady;
    this.#connection = new PGliteConnection(pglite);
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
      await connection.pglite.close();
    } finally {
      release();
    }
  }
}

const MODIFYING_QUERIES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

class PGliteConnection implements DatabaseConnection {
  readonly pglite: PGliteLike;
  /** Set while a holder has the connection; called to hand it to the next one. */
  release: (() => void) | undefined;

  constructor(pglite: PGliteLike) {
    this.pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = [...compiledQuery.parameters];
    // Like pg: without parameters the simple protocol runs, so a raw script may hold
    // several statements; the last statement's rows are returned.
    const result =
      parameters.length === 0
        ? (await this.pglite.exec(compiledQuery.sql, { rowMode: 'object' })).at(-1)
        : await this.pglite.query<R>(compiledQuery.sql, parameters, { rowMode: 'object' });
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

  /**
   * PostgreSQL answers COMMIT with a ROLLBACK tag when an earlier statement aborted the
   * transaction; PGlite's query() hides command tags, so read it from the protocol.
   */
  async commit(): Promise<void> {
    const { messages } = await this.pglite.execProtocol(protocol.serialize.query('commit'));
    const aborted = messages.some(
      (message) => message.name === 'commandComplete' && (message as { text?: string }).text === 'ROLLBACK',
    );
    if (aborted) throw new AbortedTransactionError();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
