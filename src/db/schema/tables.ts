import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely table types. Both backends return the same JS types (see type-parsers.ts):
 * numeric and bigint as number, `date` as 'YYYY-MM-DD', timestamps as Date.
 */

/** The symbol universe; in an adopted database it belongs to the Python backend. */
export interface StocksTable {
  id: Generated<number>;
  stock_code: string;
  stock_name: string;
  /** 'TSE' or 'TPEx'. */
  market: string;
  industry: string | null;
  capital_stock: number | null;
  capital_updated_at: Date | null;
  is_active: Generated<boolean | null>;
  created_at: Generated<Date | null>;
  updated_at: Date | null;
}

/**
 * One row per symbol and trading day. `trade_date` is a `date` in a crawler-created
 * table ('YYYY-MM-DD') and a timestamp holding midnight UTC in a backend-created one
 * (Date); write it through the repository, which knows which.
 */
export interface StockDailyDataTable {
  id: Generated<number>;
  stock_code: string;
  trade_date: ColumnType<string | Date, string, string>;
  open_price: number | null;
  high_price: number | null;
  low_price: number | null;
  close_price: number | null;
  /** Lots (張, 1,000 shares). */
  volume: number | null;
  // Computed by the backend; the crawler never writes these.
  turnover: number | null;
  price_change: number | null;
  price_change_rate: number | null;
  ma5: number | null;
  ma10: number | null;
  ma20: number | null;
  /** The mirror the values came from. */
  data_source: string;
  /** 'valid' or 'weekend'. */
  data_quality: string | null;
  is_validated: Generated<boolean | null>;
  created_at: Generated<Date | null>;
  updated_at: Generated<Date | null>;
}

/** One batch run (migration 0002); written through runs-repository.ts. */
export interface CrawlRunsTable {
  id: string;
  job: string;
  shard: string | null;
  /** running | succeeded | failed | interrupted | partial */
  status: Generated<string>;
  started_at: Generated<Date>;
  heartbeat_at: Generated<Date>;
  finished_at: Date | null;
  pid: number | null;
  host: string | null;
  arguments: Generated<unknown>;
  progress: unknown;
  summary: unknown;
  task_log_id: number | null;
}

/** One instrument the exchange lists (migration 0003); written through instruments-repository.ts. */
export interface MarketInstrumentsTable {
  code: string;
  name: string;
  /** 'TSE' or 'TPEx'. */
  market: string;
  /** stock | etf | preferred | tdr | warrant | etn | bond | other */
  type: string;
  isin: string | null;
  cfi: string | null;
  industry: string | null;
  /** 'YYYY-MM-DD'. */
  listed_date: string | null;
  first_seen: Generated<Date>;
  last_seen: Generated<Date>;
  /** 'YYYY-MM-DD' the sync found it gone; null while listed. */
  delisted_date: string | null;
}

/** One market closure (migration 0003). */
export interface MarketHolidaysTable {
  /** 'YYYY-MM-DD'. */
  day: string;
  name: string;
  description: string | null;
  synced_at: Generated<Date>;
}

/** The last good sync and the last attempt of one reference source (migration 0003). */
export interface MarketSyncStateTable {
  /** 'TSE', 'TPEx' or 'holidays'. */
  source: string;
  url: string;
  row_count: number | null;
  kept_count: number | null;
  /** The last good sync; null before the first. */
  synced_at: Date | null;
  checked_at: Generated<Date>;
  last_error: string | null;
}

/** The tables the crawler knows. */
export interface Database {
  stocks: StocksTable;
  stock_daily_data: StockDailyDataTable;
  crawl_runs: CrawlRunsTable;
  market_instruments: MarketInstrumentsTable;
  market_holidays: MarketHolidaysTable;
  market_sync_state: MarketSyncStateTable;
}
