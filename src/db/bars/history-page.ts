import { CompiledQuery, type Kysely } from 'kysely';
import { UsageError } from '../../errors.js';
import type { Database } from '../schema/tables.js';
import { storedTradeDate, tradingDay, type TradeDateKind } from '../schema/trade-date-sql.js';
import { toHistoryRow, type HistoryRow } from './history-query.js';

/** Columns a history page can be sorted by (the old history endpoint's `sort_by`). */
export const HISTORY_SORT_KEYS = ['trade_date', 'close_price', 'volume', 'high_price', 'low_price'] as const;

export type HistorySortKey = (typeof HISTORY_SORT_KEYS)[number];

/** The largest page (the old endpoint's cap). */
export const MAX_HISTORY_PAGE_LIMIT = 1000;

/** The old endpoint's defaults: page 1 of 50 rows, newest first. */
export const HISTORY_PAGE_DEFAULTS = { page: 1, limit: 50, sortBy: 'trade_date', order: 'desc' } as const;

/** One page of a symbol's stored bars. */
export interface HistoryPageQuery {
  /** Already normalised (see normaliseSymbol). */
  symbol: string;
  /** First trading day, inclusive, 'YYYY-MM-DD' (a checked calendar day); open when undefined. */
  from?: string | undefined;
  /** Last trading day, inclusive, likewise. */
  to?: string | undefined;
  /** 1-based page number. */
  page: number;
  /** Rows per page, 1..{@link MAX_HISTORY_PAGE_LIMIT}. */
  limit: number;
  sortBy: HistorySortKey;
  order: 'asc' | 'desc';
}

/** The rows of one page and how many rows the range holds over all pages. */
export interface HistoryPage {
  /** trade_date as 'YYYY-MM-DD'; values as numbers, a NULL one as null. */
  rows: HistoryRow[];
  total_records: number;
}

/**
 * Reads one page of a symbol's stored bars as the old history endpoint paged them:
 * rows in the range sorted by `sortBy` in `order`, ties broken by the stored trade_date
 * in the same order (unique per symbol, so every row has one place and pages neither
 * overlap nor miss a row), `limit` rows from row `(page - 1) * limit`. NULL values sort
 * where PostgreSQL puts them (last ascending, first descending), as the old service's
 * query did. A page past the end has no rows and still the range's count.
 *
 * The count and the rows come from one statement, so they agree; only a page past the end
 * costs a second statement for the count. `kind` is the table's trade_date type
 * (DailyBarsRepository.tradeDateKind). Works the same on PostgreSQL and PGlite.
 * @throws UsageError for a page, limit, sort key or order outside the ranges above.
 */
export async function readHistoryPage(db: Kysely<Database>, kind: TradeDateKind, query: HistoryPageQuery): Promise<HistoryPage> {
  checkQuery(query);
  const { text, parameters } = pageStatement(kind, query);
  const { rows } = await db.executeQuery<PageRow>(CompiledQuery.raw(text, parameters));
  const first = rows[0];
  if (first !== undefined) return { rows: rows.map(toHistoryRow), total_records: first.total_records };
  const counted = countStatement(kind, query);
  const { rows: totals } = await db.executeQuery<{ total_records: number }>(CompiledQuery.raw(counted.text, counted.parameters));
  return { rows: [], total_records: totals[0]?.total_records ?? 0 };
}

type PageRow = HistoryRow & { total_records: number };

function checkQuery(query: HistoryPageQuery): void {
  if (!Number.isSafeInteger(query.page) || query.page < 1) throw new UsageError(`page must be an integer ≥ 1, not ${query.page}`);
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_HISTORY_PAGE_LIMIT) {
    throw new UsageError(`limit must be an integer from 1 to ${MAX_HISTORY_PAGE_LIMIT}, not ${query.limit}`);
  }
  if (!Number.isSafeInteger((query.page - 1) * query.limit)) throw new UsageError(`page ${query.page} is beyond any history`);
  // The sort key becomes a column name in the statement: only the listed ones pass.
  if (!(HISTORY_SORT_KEYS as readonly string[]).includes(query.sortBy)) {
    throw new UsageError(`sort key must be one of ${HISTORY_SORT_KEYS.join(', ')}, not ${JSON.stringify(String(query.sortBy))}`);
  }
  if (query.order !== 'asc' && query.order !== 'desc') throw new UsageError(`order must be asc or desc, not ${JSON.stringify(String(query.order))}`);
}

/** The range's conditions on `b`, binding their values into `parameters` ($1 is the symbol). */
function rangeConditions(kind: TradeDateKind, query: HistoryPageQuery, parameters: unknown[]): string {
  parameters.push(query.symbol);
  const conditions = [`b.stock_code = $${parameters.length}`];
  // As in history-query.ts: the stored column against computed bounds, so the unique
  // (stock_code, trade_date) index serves the range in either table flavour.
  if (query.from !== undefined) {
    parameters.push(query.from);
    conditions.push(`b.trade_date >= ${storedTradeDate(kind, `$${parameters.length}::date`)}`);
  }
  if (query.to !== undefined) {
    parameters.push(query.to);
    conditions.push(`b.trade_date < ${storedTradeDate(kind, `($${parameters.length}::date + 1)`)}`);
  }
  return conditions.join(' and ');
}

function pageStatement(kind: TradeDateKind, query: HistoryPageQuery): { text: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  // One set of conditions serves the count and the page: the placeholders are shared.
  const where = rangeConditions(kind, query, parameters);
  const direction = query.order === 'asc' ? 'asc' : 'desc';
  // Qualified on purpose: a bare `trade_date` here would be the output column (the day
  // as text), not the stored value; the stored value also tells apart two backend rows
  // of one day stored at different instants.
  const orderBy =
    query.sortBy === 'trade_date' ? `b.trade_date ${direction}` : `b.${query.sortBy} ${direction}, b.trade_date ${direction}`;
  parameters.push(query.limit, (query.page - 1) * query.limit);
  const text = `select (select count(*) from stock_daily_data as b where ${where}) as total_records,
       b.stock_code, to_char(${tradingDay(kind, 'b.trade_date')}, 'YYYY-MM-DD') as trade_date,
       b.open_price, b.high_price, b.low_price, b.close_price, b.volume
  from stock_daily_data as b
  where ${where}
  order by ${orderBy}
  limit $${parameters.length - 1} offset $${parameters.length}`;
  return { text, parameters };
}

function countStatement(kind: TradeDateKind, query: HistoryPageQuery): { text: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const where = rangeConditions(kind, query, parameters);
  return { text: `select count(*) as total_records from stock_daily_data as b where ${where}`, parameters };
}
