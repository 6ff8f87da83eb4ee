import * as z from 'zod/mini';

/*
 * The old service's answer to `GET /api/v1/data/history/{symbol}`
 * (services/stock_history_service.py, StockHistoryService.get_stock_history): one page
 * of a symbol's stored bars. Keys in the old order, strict.
 */

const count = z.number().check(z.int(), z.nonnegative());

/**
 * Prices are floats and volume an int, as the old service printed them. The old code
 * failed the whole request (HTTP 500) on a NULL value; the CLI prints that cell as null.
 */
const price = z.nullable(z.number());

/** One stored bar; `adjusted_close` equals `close_price` (the stored prices are adjusted). */
export const legacyHistoryRowSchema = z.strictObject({
  trade_date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  open_price: price,
  high_price: price,
  low_price: price,
  close_price: price,
  /** Lots (張). */
  volume: z.nullable(z.number().check(z.int())),
  adjusted_close: price,
});

/** The query as asked, echoed: null for an open end. */
export const legacyQueryParamsSchema = z.strictObject({
  start_date: z.nullable(z.string()),
  end_date: z.nullable(z.string()),
  sort_by: z.string(),
  sort_order: z.string(),
});

/** `total_pages = ceil(total_records / limit)`, `has_next = page < total_pages`, `has_previous = page > 1`. */
export const legacyPaginationSchema = z.strictObject({
  page: z.number().check(z.int(), z.minimum(1)),
  limit: z.number().check(z.int(), z.minimum(1), z.maximum(1000)),
  total_pages: count,
  has_next: z.boolean(),
  has_previous: z.boolean(),
});

export const legacyHistoryPageSchema = z.strictObject({
  status: z.literal('success'),
  stock_symbol: z.string(),
  data: z.array(legacyHistoryRowSchema),
  /** Rows in the range asked, over all pages. */
  total_records: count,
  query_params: legacyQueryParamsSchema,
  pagination: legacyPaginationSchema,
  /** 'Retrieved 50 records for stock 2330'. */
  message: z.string(),
});

/**
 * The old keys a default `history` document carries besides its own `data` and
 * `message` (its rows get `adjusted_close` through {@link withAdjustedClose}). Its one
 * page may hold the whole range, more than the 1,000 rows the old endpoint's pages held.
 */
export const legacyHistoryKeysSchema = z.extend(z.omit(legacyHistoryPageSchema, { data: true, message: true }), {
  pagination: z.extend(legacyPaginationSchema, { limit: z.number().check(z.int(), z.minimum(1)) }),
});

export type LegacyHistoryRow = z.infer<typeof legacyHistoryRowSchema>;
export type LegacyPagination = z.infer<typeof legacyPaginationSchema>;
export type LegacyHistoryPage = z.infer<typeof legacyHistoryPageSchema>;
export type LegacyHistoryKeys = z.infer<typeof legacyHistoryKeysSchema>;

/**
 * The paging of `totalRecords` rows by `limit` as the old service computed it, at `page`
 * (≥ 1). The old endpoint's cap of 1,000 rows a page is the request's to enforce.
 * @throws RangeError for a value outside those bounds or not an integer.
 */
export function legacyPagination(page: number, limit: number, totalRecords: number): LegacyPagination {
  if (!Number.isSafeInteger(page) || page < 1) throw new RangeError(`page must be an integer ≥ 1, not ${page}`);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer ≥ 1, not ${limit}`);
  if (!Number.isSafeInteger(totalRecords) || totalRecords < 0) throw new RangeError(`totalRecords must be an integer ≥ 0, not ${totalRecords}`);
  const totalPages = Math.ceil(totalRecords / limit);
  return { page, limit, total_pages: totalPages, has_next: page < totalPages, has_previous: page > 1 };
}

/** A stored bar as the history reader returns it (a `stock_code` or more keys may come along). */
export interface LegacyHistoryRowInput {
  /** 'YYYY-MM-DD'. */
  trade_date: string;
  open_price: number | null;
  high_price: number | null;
  low_price: number | null;
  close_price: number | null;
  volume: number | null;
}

/** The row with `adjusted_close` (= `close_price`) added, for a default document's rows. */
export function withAdjustedClose<T extends { close_price: number | null }>(row: T): T & { adjusted_close: number | null } {
  return { ...row, adjusted_close: row.close_price };
}

/** The row in the old shape: exactly the old keys, in the old order. */
export function toLegacyHistoryRow(row: LegacyHistoryRowInput): LegacyHistoryRow {
  return {
    trade_date: row.trade_date,
    open_price: row.open_price,
    high_price: row.high_price,
    low_price: row.low_price,
    close_price: row.close_price,
    volume: row.volume,
    adjusted_close: row.close_price,
  };
}

/** One page as read, and the query that asked for it. */
export interface LegacyHistoryInput {
  symbol: string;
  /** First day asked, 'YYYY-MM-DD', or null/undefined for an open start. */
  from?: string | null | undefined;
  /** Last day asked, likewise. */
  to?: string | null | undefined;
  page: number;
  limit: number;
  /** trade_date | close_price | volume | high_price | low_price. */
  sortBy: string;
  order: 'asc' | 'desc';
  /** Rows in the range over all pages. */
  totalRecords: number;
  rows: readonly LegacyHistoryRowInput[];
}

/** The old keys for a default `history` document: status, stock_symbol, total_records, query_params, pagination. */
export function buildLegacyHistoryKeys(input: Omit<LegacyHistoryInput, 'rows'>): LegacyHistoryKeys {
  return {
    status: 'success',
    stock_symbol: input.symbol,
    total_records: input.totalRecords,
    query_params: { start_date: input.from ?? null, end_date: input.to ?? null, sort_by: input.sortBy, sort_order: input.order },
    pagination: legacyPagination(input.page, input.limit, input.totalRecords),
  };
}

/** The old history document (`history --shape legacy`), exactly the old keys in the old order. */
export function buildLegacyHistoryPage(input: LegacyHistoryInput): LegacyHistoryPage {
  const keys = buildLegacyHistoryKeys(input);
  return {
    status: keys.status,
    stock_symbol: keys.stock_symbol,
    data: input.rows.map(toLegacyHistoryRow),
    total_records: keys.total_records,
    query_params: keys.query_params,
    pagination: keys.pagination,
    message: `Retrieved ${input.rows.length} records for stock ${input.symbol}`,
  };
}
