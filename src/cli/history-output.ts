import type { HistoryRequest, HistoryView } from '../batch/history-run.js';
import type { HistoryDocument } from '../documents/history-document.js';
import { buildLegacyHistoryKeys, buildLegacyHistoryPage, withAdjustedClose } from '../documents/legacy-history-page.js';

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
