/**
 * What holding the database costs a process, measured apart from the crawler:
 *
 *     node --expose-gc --import tsx test/bench/database-client-memory.ts <postgres URL | data directory>
 *
 * With a URL: a pg pool as the crawler opens it (10 connections at most), all 10
 * connected and each having run a query. With a directory: the embedded database opened
 * on it. RSS is read after forced collections before and after; the difference is the
 * database client's share. Also reads stock_daily_data's size as that database counts it.
 * Prints one JSON line.
 */
import { sql } from 'kysely';
import type pg from 'pg';
import { openDatabase } from '../../src/db/connection/open-database.js';

/** The probe's document; bytes. */
export interface DatabaseClientMemory {
  kind: 'postgres' | 'pglite';
  connections: number;
  rss_before: number;
  rss_after: number;
  /** stock_daily_data with its indexes, as the opened database reports it. */
  relation_total: number;
}

const POOL_MAX = 10;

function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}

async function measure(target: string): Promise<DatabaseClientMemory> {
  const server = /^postgres(ql)?:\/\//.test(target);
  const before = settledRss();
  const handle = await openDatabase(server ? { databaseUrl: target, dataDir: '' } : { dataDir: target });
  try {
    let connections = 1;
    if (handle.pool !== undefined) {
      const pool = handle.pool as pg.Pool;
      const clients = await Promise.all(Array.from({ length: POOL_MAX }, () => pool.connect()));
      await Promise.all(clients.map((client) => client.query('select max(trade_date) from stock_daily_data')));
      for (const client of clients) client.release();
      connections = clients.length;
    } else {
      await sql`select max(trade_date) from stock_daily_data`.execute(handle.db);
    }
    const after = settledRss();
    const size = await sql<{ total: string }>`select pg_total_relation_size('stock_daily_data') as total`.execute(handle.db);
    return { kind: handle.kind, connections, rss_before: before, rss_after: after, relation_total: Number(size.rows[0]?.total) };
  } finally {
    await handle.close();
  }
}

const target = process.argv[2];
if (target === undefined) throw new Error('usage: database-client-memory.ts <postgres URL | data directory>');
process.stdout.write(`${JSON.stringify(await measure(target))}\n`);
