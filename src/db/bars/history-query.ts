import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../schema/tables.js';
import { storedTradeDate, tradingDay, type TradeDateKind } from '../schema/trade-date-sql.js';

/**
 * One stored bar as `history` prints it. trade_date is the trading day in both table
 * flavours; a value the backend left NULL stays null (it is not a 0).
 */
export interface HistoryRow {
  stock_code: string;
  /** 'YYYY-MM-DD'. */
  trade_date: string;
  open_price: number | null;
  high_price: number | null;
  low_price: number | null;
  close_price: number | null;
  /** Lots (張). */
  volume: number | null;
}

/** Which stored bars of one symbol to read. */
export interface HistoryQuery {
  /** Already normalised (see normaliseSymbol). */
  symbol: string;
  /** First trading day, inclusive, 'YYYY-MM-DD'; open when undefined. */
  from?: string | undefined;
  /** Last trading day, inclusive, 'YYYY-MM-DD'; open when undefined. */
  to?: string | undefined;
  /** At most this many rows (a positive integer); all when undefined. */
  limit?: number | undefined;
  order: 'asc' | 'desc';
  /** Rows per statement. Default {@link DEFAULT_HISTORY_PAGE_SIZE}. */
  pageSize?: number | undefined;
}

/** Rows per statement: small enough to hold, large enough that round trips do not dominate. */
export const DEFAULT_HISTORY_PAGE_SIZE = 5_000;

/**
 * Reads the stored bars of one symbol in keyset pages, in date order: each statement
 * asks for the rows after the last one seen (`trade_date > cursor`, or `<` descending)
 * along the unique (stock_code, trade_date) index, so no page costs more than its own
 * rows and nothing is held beyond one page. A page is yielded before the next is read;
 * a caller that stops iterating stops the reading. No rows yields no page.
 *
 * Pages are separate statements, not one snapshot: a row written meanwhile may or may not
 * appear, but no row is ever skipped or repeated. `kind` is the table's trade_date type
 * (DailyBarsRepository.tradeDateKind). Works the same on PostgreSQL and PGlite.
 */
export async function* readHistoryPages(
  db: Kysely<Database>,
  kind: TradeDateKind,
  query: HistoryQuery,
): AsyncGenerator<HistoryRow[], void, undefined> {
  const pageSize = query.pageSize ?? DEFAULT_HISTORY_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, not ${pageSize}`);
  let remaining = query.limit ?? Number.POSITIVE_INFINITY;
  let cursor: string | undefined;
  while (remaining > 0) {
    const want = Math.min(pageSize, remaining);
    const { text, parameters } = pageStatement(kind, query, cursor, want);
    const { rows } = await db.executeQuery<PageRow>(CompiledQuery.raw(text, parameters));
    const last = rows.at(-1);
    if (last === undefined) return;
    yield rows.map(toHistoryRow);
    remaining -= rows.length;
    if (rows.length < want) return;
    cursor = last.cursor;
  }
}

type PageRow = HistoryRow & { cursor: string };

/** A row as the history readers return it: only the bar's columns, whatever else the statement selected. */
export function toHistoryRow(row: HistoryRow): HistoryRow {
  return {
    stock_code: row.stock_code,
    trade_date: row.trade_date,
    open_price: row.open_price,
    high_price: row.high_price,
    low_price: row.low_price,
    close_price: row.close_price,
    volume: row.volume,
  };
}

/**
 * One page's statement. Every condition compares the stored column itself with a
 * computed bound (never a function of the column), so the unique index serves it:
 * a trading day D covers stored values from D's stored form up to (not including)
 * D + 1's, which for the backend's timestamps is [midnight UTC, next midnight UTC),
 * whatever the session's TimeZone.
 */
function pageStatement(
  kind: TradeDateKind,
  query: HistoryQuery,
  cursor: string | undefined,
  limit: number,
): { text: string; parameters: unknown[] } {
  const parameters: unknown[] = [query.symbol];
  const conditions = ['b.stock_code = $1'];
  const bind = (value: unknown): string => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  if (query.from !== undefined) conditions.push(`b.trade_date >= ${storedTradeDate(kind, `${bind(query.from)}::date`)}`);
  if (query.to !== undefined) conditions.push(`b.trade_date < ${storedTradeDate(kind, `(${bind(query.to)}::date + 1)`)}`);
  if (cursor !== undefined) conditions.push(`b.trade_date ${query.order === 'asc' ? '>' : '<'} ${cursorBound(kind, bind(cursor))}`);
  const direction = query.order === 'asc' ? 'asc' : 'desc';
  // Qualified on purpose: a bare `order by trade_date` would sort by the output column
  // of that name (the day as text), not along the index.
  const text = `select b.stock_code, to_char(${tradingDay(kind, 'b.trade_date')}, 'YYYY-MM-DD') as trade_date,
       b.open_price, b.high_price, b.low_price, b.close_price, b.volume, ${cursorText(kind)} as cursor
  from stock_daily_data as b
  where ${conditions.join(' and ')}
  order by b.trade_date ${direction}
  limit ${bind(limit)}`;
  return { text, parameters };
}

/**
 * The stored value as exact text (to the microsecond, zone-independent): the cursor is
 * the key itself, not its trading day, so even a backend row stored at another instant
 * than midnight is paged past exactly once.
 */
function cursorText(kind: TradeDateKind): string {
  switch (kind) {
    case 'date':
      return `to_char(b.trade_date, 'YYYY-MM-DD')`;
    case 'timestamptz':
      return `to_char(b.trade_date at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;
    case 'timestamp':
      return `to_char(b.trade_date, 'YYYY-MM-DD HH24:MI:SS.US')`;
  }
}

/** SQL turning the parameter `placeholder` (cursorText's output) back into a stored value. */
function cursorBound(kind: TradeDateKind, placeholder: string): string {
  switch (kind) {
    case 'date':
      return `${placeholder}::date`;
    case 'timestamptz':
      return `(${placeholder}::timestamp at time zone 'UTC')`;
    case 'timestamp':
      return `${placeholder}::timestamp`;
  }
}
