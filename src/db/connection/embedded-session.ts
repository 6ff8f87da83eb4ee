import { PGlite, protocol } from '@electric-sql/pglite';
import { TYPE_PARSERS } from './type-parsers.js';

/** A statement's rows (as objects) and the rows it changed. */
export interface SessionResult<R = unknown> {
  rows: R[];
  affectedRows?: number | undefined;
}

/** The embedded database's one session, as the dialect and bulk writes use it. */
export interface EmbeddedSession {
  /**
   * One statement, extended protocol; `blob` is the file `copy … from '/dev/blob'` reads
   * (its buffer moves to the database's thread: the caller's array is left empty).
   */
  query<R>(text: string, parameters?: unknown[], options?: { blob?: Uint8Array }): Promise<SessionResult<R>>;
  /** A script of statements, simple protocol: each statement's result. */
  exec(text: string): Promise<SessionResult[]>;
  /** COMMIT; resolves true when PostgreSQL rolled back instead (an earlier statement had failed). */
  commit(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens PGlite in `dataDir` with `settings` (`-c name=value`… beyond its own start
 * parameters) and the shared type parsers, as a session in this thread. No extensions: each
 * one adds to the first open. initdb on the first open is the price of an embedded server
 * (seconds); later opens take a fraction of a second.
 */
export async function openSessionHere(dataDir: string, settings: readonly string[]): Promise<EmbeddedSession> {
  return inProcessSession(await PGlite.create(dataDir, { parsers: { ...TYPE_PARSERS }, startParams: [...PGlite.defaultStartParams, ...settings] }));
}

/**
 * The embedded database's session in the thread that opened it: PGlite itself. Statements
 * run to their end without yielding, which costs a nightly run nothing (a few short
 * statements) and saves the ~15 MB a thread of its own takes.
 */
export function inProcessSession(pglite: PGlite): EmbeddedSession {
  return {
    query: async <R>(text: string, parameters?: unknown[], options?: { blob?: Uint8Array }) => {
      const blob = options?.blob === undefined ? undefined : new Blob([options.blob]);
      const result = await pglite.query<R>(text, parameters, { rowMode: 'object', blob });
      return { rows: result.rows, affectedRows: result.affectedRows };
    },
    exec: async (text) => (await pglite.exec(text, { rowMode: 'object' })).map((result): SessionResult => ({ rows: result.rows, affectedRows: result.affectedRows })),
    commit: () => commitReportingRollback(pglite),
    close: () => pglite.close(),
  };
}

/**
 * COMMIT; true when PostgreSQL answered ROLLBACK (an earlier statement had aborted the
 * transaction). query() hides command tags; the protocol's messages have them.
 */
async function commitReportingRollback(pglite: Pick<PGlite, 'execProtocol'>): Promise<boolean> {
  const { messages } = await pglite.execProtocol(protocol.serialize.query('commit'));
  return messages.some((message) => message.name === 'commandComplete' && (message as { text?: string }).text === 'ROLLBACK');
}

/**
 * A session that starts on the crawler's thread and can move to a thread of its own
 * (`move`), for a bulk load, where the database's work should overlap the crawl's. Whoever
 * moves it holds the one connection, so no transaction is open across the move; calls
 * made meanwhile wait for it. The new session starts afresh: a SET made before is gone
 * (the crawler makes none on the embedded database).
 */
export class MovableSession implements EmbeddedSession {
  #current: EmbeddedSession;
  #moving: Promise<void> | undefined;

  constructor(initial: EmbeddedSession) {
    this.#current = initial;
  }

  /**
   * Closes the current session and continues on the one `open` starts (on the same data
   * directory); should that fail, on the one `reopen` starts, and says so with the error.
   */
  async move(open: () => Promise<EmbeddedSession>, reopen: () => Promise<EmbeddedSession>): Promise<{ moved: boolean; error?: unknown }> {
    let outcome: { moved: boolean; error?: unknown } = { moved: true };
    const moving = (async () => {
      await this.#current.close();
      try {
        this.#current = await open();
      } catch (error) {
        outcome = { moved: false, error };
        this.#current = await reopen();
      }
    })();
    this.#moving = moving;
    try {
      await moving;
      return outcome;
    } finally {
      this.#moving = undefined;
    }
  }

  async query<R>(text: string, parameters?: unknown[], options?: { blob?: Uint8Array }): Promise<SessionResult<R>> {
    await this.#moving;
    return this.#current.query<R>(text, parameters, options);
  }

  async exec(text: string): Promise<SessionResult[]> {
    await this.#moving;
    return this.#current.exec(text);
  }

  async commit(): Promise<boolean> {
    await this.#moving;
    return this.#current.commit();
  }

  async close(): Promise<void> {
    await this.#moving?.catch(() => undefined);
    await this.#current.close();
  }
}
