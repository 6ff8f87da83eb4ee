import { z } from 'zod';
import type { HistoryRequest, HistoryView } from '../batch/history-run.js';
import { buildLegacyHistoryKeys, buildLegacyHistoryPage, legacyHistoryKeysSchema, withAdjustedClose } from './legacy-history-page.js';

const value = z.number().nullable();

/** A stored bar as `history` prints it; `adjusted_close` is `close_price` (the stored prices are adjusted). */
const historyRowSchema = z.strictObject({
  stock_code: z.string(),
  trade_date: z.iso.date(),
  open_price: value,
  high_price: value,
  low_price: value,
  close_price: value,
  volume: value,
  adjusted_close: value,
});

/**
 * The default `history` document: the crawler's keys (`from`/`to` echo the range asked,
 * null for an open end) and the old endpoint's keys with their old meanings
 * (`total_records` counts the whole range; `pagination` pages it).
 */
export const historyDocumentSchema = z.strictObject({
  success: z.literal(true),
  message: z.string(),
  stock_code: z.string(),
  data: z.array(historyRowSchema),
  from: z.iso.date().nullable(),
  to: z.iso.date().nullable(),
  order: z.enum(['asc', 'desc']),
  limit: z.number().int().positive().nullable(),
  source: z.literal('node'),
  ...legacyHistoryKeysSchema.shape,
});

export type HistoryDocument = z.infer<typeof historyDocumentSchema>;

/** The default document of one page (or the whole range) of a symbol's stored bars. */
export function historyDocument(request: HistoryRequest, view: HistoryView, paged: boolean): HistoryDocument {
  return {
    success: true,
    message: view.message,
    stock_code: request.symbol,
    data: view.rows.map(withAdjustedClose),
    from: request.from ?? null,
    to: request.to ?? null,
    order: request.order,
    limit: paged ? view.limit : null,
    source: 'node',
    ...buildLegacyHistoryKeys(legacyInput(request, view)),
  };
}

/** Exactly the old endpoint's document (`--shape legacy`). */
export function legacyHistoryDocument(request: HistoryRequest, view: HistoryView): ReturnType<typeof buildLegacyHistoryPage> {
  return buildLegacyHistoryPage({ ...legacyInput(request, view), rows: view.rows });
}

function legacyInput(request: HistoryRequest, view: HistoryView) {
  const { symbol, from, to, order } = request;
  return { symbol, from, to, order, page: view.page, limit: view.limit, sortBy: view.sortBy, totalRecords: view.totalRecords };
}
