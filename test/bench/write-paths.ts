/**
 * The write paths measured against each other on the same rows, in one run:
 *
 *     npx tsx test/bench/write-paths.ts --symbols 2000
 *
 * - `upsert`: the set-based statement (INSERT … SELECT FROM unnest(…) ON CONFLICT …
 *   DO UPDATE … WHERE values differ), 20,000-row statements as the bar writer sends them;
 * - `copy_merge`: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT from it;
 * - `copy_fresh`: what the repository does for symbols with no stored row — a probe,
 *   then COPY straight into the table (backfill only: on a nightly run no symbol is fresh).
 *
 * Backfill: empty table, ~1,440 bars per symbol. Nightly: every bar but the newest
 * stored, 4 bars per symbol offered (3 unchanged, 1 new). DATABASE_URL names an admin
 * connection; a scratch database is created and dropped. Prints one JSON document.
 */
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { copyRows } from '../../src/db/bars/copy-bars.js';
import { packBars, type PackedBars } from '../../src/db/bars/packed-bars.js';
import { createDailyBarsRepository } from '../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import type { BulkTransaction } from '../../src/db/connection/bulk-transaction.js';
import type { Database } from '../../src/db/schema/tables.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { benchHistory, benchSymbols, weekdaysEnding, type BenchHistory } from './bench-history.js';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const { values: flags } = parseArgs({ options: { symbols: { type: 'string', default: '2000' } } });
const symbols = benchSymbols(Number(flags.symbols));
const days = weekdaysEnding('2026-11-20', 1441);
const STATEMENT_ROWS = 20_000;

function bars(history: BenchHistory, from: number, to: number): DailyBar[] {
  const out: DailyBar[] = [];
  for (let i = from; i < to; i += 1) {
    out.push({
      stock_code: history.symbol,
      trade_date: (history.days[i] as string).replaceAll('/', '-'),
      open_price: Number(history.open[i]),
      high_price: Number(history.high[i]),
      low_price: Number(history.low[i]),
      close_price: Number(history.close[i]),
      volume: Number(history.volume[i]),
      data_quality: 'valid',
    });
  }
  return out;
}

/** Groups of whole symbols, each at most `rows` rows (as the bar writer batches them). */
function batches(groups: PackedBars[], rows: number): PackedBars[][] {
  const out: PackedBars[][] = [];
  let current: PackedBars[] = [];
  let size = 0;
  for (const group of groups) {
    if (current.length > 0 && size + group.count > rows) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(group);
    size += group.count;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const MERGE = `insert into stock_daily_data as t (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_quality, data_source)
  select stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_quality, data_source from bench_stage
  on conflict (stock_code, trade_date) do update
  set open_price = excluded.open_price, high_price = excluded.high_price, low_price = excluded.low_price,
      close_price = excluded.close_price, volume = excluded.volume, data_quality = excluded.data_quality,
      data_source = excluded.data_source, updated_at = now()
  where (t.open_price, t.high_price, t.low_price, t.close_price, t.volume, t.data_quality)
        is distinct from (excluded.open_price, excluded.high_price, excluded.low_price, excluded.close_price, excluded.volume, excluded.data_quality)`;

async function copyMerge(pool: pg.Pool, batch: PackedBars[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('create temp table bench_stage (like stock_daily_data including defaults) on commit drop');
    const stream = client.query(
      copyFrom('copy bench_stage (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_quality, data_source) from stdin'),
    );
    await pipeline(Readable.from([Buffer.from(copyRows(batch, 'date'))]), stream);
    await client.query(MERGE);
    await client.query('commit');
  } finally {
    client.release();
  }
}

/** One statement after the other, as the bar writer flushes. */
async function each<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (const item of items) await work(item);
}

async function timed(label: string, work: () => Promise<void>): Promise<[string, number]> {
  const started = performance.now();
  await work();
  return [label, Number(((performance.now() - started) / 1000).toFixed(2))];
}

async function reset(db: Kysely<Database>, preload: PackedBars[] | null, bulk: BulkTransaction): Promise<void> {
  await sql`truncate stock_daily_data`.execute(db);
  if (preload !== null) {
    const repository = await createDailyBarsRepository(db, { bulk, copyMinRows: 1 });
    for (const batch of batches(preload, 100_000)) await repository.upsertPacked(batch);
  }
  await sql`vacuum analyze stock_daily_data`.execute(db);
  await sql`checkpoint`.execute(db);
}

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `stock_crawler_write_paths_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
try {
  await migrateToLatest(handle.db);
  const pool = handle.pool as pg.Pool;
  const histories = symbols.map((symbol) => benchHistory(symbol, days));
  const full = histories.map((h) => packBars({ symbol: h.symbol, source: 'm0', bars: bars(h, 1, 1441) }));
  const stored = histories.map((h) => packBars({ symbol: h.symbol, source: 'm0', bars: bars(h, 0, 1440) }));
  const nightly = histories.map((h) => packBars({ symbol: h.symbol, source: 'm1', bars: bars(h, 1437, 1441) }));
  const plain = await createDailyBarsRepository(handle.db);
  const withCopy = await createDailyBarsRepository(handle.db, { bulk: handle.bulk });

  const backfill: Array<[string, number]> = [];
  await reset(handle.db, null, handle.bulk);
  backfill.push(await timed('upsert', () => each(batches(full, STATEMENT_ROWS), (b) => plain.upsertPacked(b))));
  await reset(handle.db, null, handle.bulk);
  backfill.push(await timed('copy_merge', () => each(batches(full, STATEMENT_ROWS), (b) => copyMerge(pool, b))));
  await reset(handle.db, null, handle.bulk);
  backfill.push(await timed('copy_fresh', () => each(batches(full, STATEMENT_ROWS), (b) => withCopy.upsertPacked(b))));

  const night: Array<[string, number]> = [];
  await reset(handle.db, stored, handle.bulk);
  night.push(await timed('upsert', () => each(batches(nightly, 400), (b) => plain.upsertPacked(b))));
  await reset(handle.db, stored, handle.bulk);
  night.push(await timed('copy_merge', () => each(batches(nightly, 400), (b) => copyMerge(pool, b))));

  const rows = (groups: PackedBars[]) => groups.reduce((sum, group) => sum + group.count, 0);
  console.log(
    JSON.stringify({
      symbols: symbols.length,
      backfill: { rows: rows(full), seconds: Object.fromEntries(backfill) },
      nightly: { rows: rows(nightly), seconds: Object.fromEntries(night) },
    }),
  );
} finally {
  await handle.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
