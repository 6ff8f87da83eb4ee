import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Database } from '../schema/tables.js';
import type { EmbeddedSession } from './embedded-session.js';

/** One connection inside an open transaction, for a bulk write: statements in order, and COPY. */
export interface BulkConnection {
  query<R>(text: string, parameters?: unknown[]): Promise<R[]>;
  /** `copy <target> from …`, fed with `rows` in COPY text format; resolves with the rows copied. */
  copyFrom(target: string, rows: Uint8Array): Promise<number>;
}

/**
 * Runs `work` in a transaction on a connection of its own: committed when `work`
 * resolves, rolled back when it throws (and the error passed on).
 */
export type BulkTransaction = <T>(work: (connection: BulkConnection) => Promise<T>) => Promise<T>;

/** On a server: a pooled connection, COPY … FROM STDIN streamed (pg-copy-streams). */
export function serverBulkTransaction(pool: pg.Pool): BulkTransaction {
  return async (work) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    const connection: BulkConnection = {
      query: async (text, parameters) => (await client.query(text, parameters)).rows,
      copyFrom: async (target, rows) => {
        const stream = client.query(copyFromStdin(`copy ${target} from stdin`));
        await pipeline(Readable.from([Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)]), stream as unknown as NodeJS.WritableStream);
        return Number(stream.rowCount);
      },
    };
    try {
      await client.query('begin');
      const result = await work(connection);
      await client.query('commit');
      return result;
    } catch (error) {
      try {
        await client.query('rollback');
      } catch (rollbackError) {
        // The connection itself is gone: do not hand it back to the pool.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

/**
 * On the embedded database: PGlite is one session, so the transaction holds Kysely's only
 * connection (no other statement can slip in between) and talks to the session directly;
 * PGlite COPYs from a Blob (`/dev/blob`) instead of a stream.
 */
export function embeddedBulkTransaction(db: Kysely<Database>, session: Pick<EmbeddedSession, 'query' | 'exec'>): BulkTransaction {
  return (work) =>
    db.connection().execute(async () => {
      const connection: BulkConnection = {
        query: async <R>(text: string, parameters?: unknown[]) => (await session.query<R>(text, parameters)).rows,
        copyFrom: async (target, rows) => {
          const result = await session.query(`copy ${target} from '/dev/blob'`, [], { blob: rows });
          return result.affectedRows ?? 0;
        },
      };
      await session.exec('begin');
      try {
        const result = await work(connection);
        await session.exec('commit');
        return result;
      } catch (error) {
        await session.exec('rollback').catch(() => undefined);
        throw error;
      }
    });
}
