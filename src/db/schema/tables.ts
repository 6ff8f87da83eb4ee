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

/** The tables the crawler knows. */
export interface Database {
  stocks: StocksTable;
  stock_daily_data: StockDailyDataTable;
  crawl_runs: CrawlRunsTable;
}
