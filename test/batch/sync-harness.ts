import { sql, type Kysely } from 'kysely';
import { runSync, type SyncFlags, type SyncRunResult } from '../../src/batch/sync-run.js';
import type { InstrumentType } from '../../src/market/instrument-type.js';
import { createSourceClient, type FetchSource } from '../../src/market/source-client.js';
import { createLogger } from '../../src/logger.js';
import { DEFAULT_SYMBOL_TYPES } from '../support/defaults.js';
import type { ExchangeSite } from '../support/exchange-site.js';

/** 2026-01-05, a Monday, 20:00 in Taipei: the evening a nightly job runs. */
export const MONDAY_EVENING = Date.parse('2026-01-05T20:00:00+08:00');

export const NO_FLAGS: SyncFlags = { symbolsOnly: false, calendarOnly: false, dryRun: false, allowMassDelist: false };

/** Log lines a sync wrote, parsed. */
export const logLines: Array<Record<string, unknown>> = [];

const logger = createLogger({ level: 'info', pretty: false, write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

/** Runs a sync against the loopback exchange with the real source client. */
export async function sync(
  db: Kysely<any>,
  site: ExchangeSite,
  options: { flags?: Partial<SyncFlags>; nowMs?: number; types?: readonly InstrumentType[]; fetchSource?: FetchSource; signal?: AbortSignal } = {},
): Promise<SyncRunResult> {
  const client = createSourceClient({ timeoutMs: 5_000, maxBytes: 4 * 1024 * 1024, userAgent: 'stock-crawler-test' });
  try {
    return await runSync({
      db,
      fetchSource: options.fetchSource ?? client.fetch,
      sources: site.sources,
      holidaySource: site.holidaySource,
      types: options.types ?? DEFAULT_SYMBOL_TYPES,
      flags: { ...NO_FLAGS, ...options.flags },
      timeZone: 'Asia/Taipei',
      clock: { now: () => options.nowMs ?? MONDAY_EVENING },
      logger,
      signal: options.signal,
    });
  } finally {
    await client.close();
  }
}

/** Everything a sync may write, to show that a run changed nothing. */
export async function snapshot(db: Kysely<any>): Promise<unknown> {
  const read = async (query: ReturnType<typeof sql>): Promise<unknown[]> => (await query.execute(db)).rows;
  return {
    stocks: await read(sql`select stock_code, stock_name, market, industry, is_active, updated_at from stocks order by stock_code collate "C"`),
    instruments: await read(sql`select * from market_instruments order by code collate "C"`),
    holidays: await read(sql`select * from market_holidays order by day`),
    state: await read(sql`select * from market_sync_state order by source collate "C"`),
    runs: await read(sql`select id, status from crawl_runs order by id`),
  };
}

/** The crawl_runs rows of job sync, oldest first. */
export async function syncRuns(db: Kysely<any>): Promise<Array<{ id: string; status: string; summary: { success: boolean } | null }>> {
  const { rows } = await sql<{ id: string; status: string; summary: { success: boolean } | null }>`
    select id, status, summary from crawl_runs where job = 'sync' order by started_at, id`.execute(db);
  return rows;
}

/** Active codes of stocks, by market. */
export async function activeCodes(db: Kysely<any>, market: string): Promise<string[]> {
  const { rows } = await sql<{ stock_code: string }>`
    select stock_code from stocks where market = ${market} and is_active is not false order by stock_code collate "C"`.execute(db);
  return rows.map((row) => row.stock_code);
}

/** Stores one bar of `code` (a day of 2026-01), whatever the flavour of stock_daily_data. */
export async function storeBar(database: { db: Kysely<any> }, code: string): Promise<void> {
  await sql`
    insert into stock_daily_data (stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source, data_quality)
    values (${code}, '2026-01-02', 30, 31, 29, 30, 1000, 'fubon', 'valid')`.execute(database.db);
}

/** How many bars of `code` are stored. */
export async function barCount(database: { db: Kysely<any> }, code: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from stock_daily_data where stock_code = ${code}`.execute(database.db);
  return rows[0]?.n ?? 0;
}
