import { readHistoryPage, type HistorySortKey } from '../db/bars/history-page.js';
import type { HistoryQuery, HistoryRow } from '../db/bars/history-query.js';
import { readHistoryPages } from '../db/bars/history-query.js';
import { openStore, type Store, type StoreLocation } from '../db/open-store.js';
import type { Logger } from '../logger.js';

/** The checked range of `history`: symbol, days, order and (for a stream) at most how many rows. */
export type HistoryRequest = Omit<HistoryQuery, 'pageSize'>;

/** Which page to read, as the old endpoint paged; absent: the whole range on one page. */
export interface HistoryPaging {
  page: number;
  limit: number;
  sortBy: HistorySortKey;
}

/** Where `history` reads. */
export interface HistoryEnvironment {
  location: StoreLocation;
  logger: Logger;
  /** Rows per statement of a stream (tests use a small one to cross page boundaries). */
  pageSize?: number | undefined;
}

/** One page of the range: its rows, how many rows the range holds, and the page's place. */
export interface HistoryView {
  rows: HistoryRow[];
  totalRecords: number;
  page: number;
  /** Rows per page: the range's whole length when it was not paged. */
  limit: number;
  sortBy: HistorySortKey;
  message: string;
}

/**
 * `history` as CSV: the range read in keyset pages, each handed to `stream` as it is read
 * and none kept, so any length streams in constant memory. Resolves with the row count.
 */
export async function streamHistory(request: HistoryRequest, env: HistoryEnvironment, stream: (page: readonly HistoryRow[]) => Promise<void>): Promise<number> {
  return withStore(env, request, async (store) => {
    let count = 0;
    for await (const page of readHistoryPages(store.handle.db, store.bars.tradeDateKind, { ...request, pageSize: env.pageSize })) {
      count += page.length;
      await stream(page);
    }
    return count;
  });
}

/**
 * `history` as a document: one page of the range (`paging`), or the whole range in date
 * order as one page. `totalRecords` counts the whole range either way.
 */
export async function readHistoryView(request: HistoryRequest, paging: HistoryPaging | undefined, env: HistoryEnvironment): Promise<HistoryView> {
  return withStore(env, request, async (store) => {
    if (paging !== undefined) {
      const { rows, total_records } = await readHistoryPage(store.handle.db, store.bars.tradeDateKind, { ...request, ...paging });
      return { rows, totalRecords: total_records, ...paging, message: describe(request, rows, total_records) };
    }
    const rows: HistoryRow[] = [];
    for await (const page of readHistoryPages(store.handle.db, store.bars.tradeDateKind, { ...request, pageSize: env.pageSize })) rows.push(...page);
    return { rows, totalRecords: rows.length, page: 1, limit: Math.max(1, rows.length), sortBy: 'trade_date', message: describe(request, rows, rows.length) };
  });
}

async function withStore<T extends number | HistoryView>(env: HistoryEnvironment, request: HistoryRequest, read: (store: Store) => Promise<T>): Promise<T> {
  const started = performance.now();
  const store = await openStore(env.location, env.logger);
  try {
    const result = await read(store);
    const rows = typeof result === 'number' ? result : result.rows.length;
    env.logger.info({ symbol: request.symbol, rows, ms: Math.round(performance.now() - started) }, 'history read');
    return result;
  } finally {
    await store.close();
  }
}

function describe(request: HistoryRequest, rows: readonly HistoryRow[], total: number): string {
  const asked = `${request.from ?? 'start'}..${request.to ?? 'end'}`;
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined) return `${request.symbol}: no stored bars (${asked}${total > 0 ? `, ${total} on other pages` : ''})`;
  const of = total > rows.length ? ` of ${total}` : '';
  return `${request.symbol}: ${rows.length}${of} bars, ${first.trade_date} to ${last.trade_date} (${asked})`;
}
