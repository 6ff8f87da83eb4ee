import { readHistoryView, streamHistory } from '../../batch/history-run.js';
import { historyDocument, legacyHistoryDocument } from '../history-output.js';
import { EXIT_CODES } from '../../errors.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';
import { csvHeader, csvRows, formatTable } from '../format-bars.js';
import { parseHistoryPaging, parseHistoryRequest } from '../history-request.js';

/**
 * `stock-crawler history <symbol>`: the stored bars of one symbol. CSV streams the range
 * (header, then each page as it is read); JSON and table print one page of it — the whole
 * range unless `--page`, `--limit`, `--sort-by` or `--shape legacy` ask for the old
 * endpoint's paging. An unknown symbol is an empty result (exit 0).
 */
export async function historyCommand(context: CommandContext, pageSize?: number): Promise<CommandOutput> {
  const legacy = argumentOf(context, 'shape') === 'legacy';
  const format = argumentOf(context, 'format');
  const request = parseHistoryRequest({
    symbol: context.args[0] ?? '',
    from: argumentOf(context, 'from'),
    to: argumentOf(context, 'to'),
    limit: argumentOf(context, 'limit'),
    // The old endpoint listed the newest first; this command lists in date order.
    order: argumentOf(context, 'order') ?? (legacy ? 'desc' : 'asc'),
  });
  const env = { location: context.config, logger: context.logger, pageSize };
  if (format === 'csv' && !legacy) {
    await context.write(csvHeader());
    await streamHistory(request, env, (page) => context.write(csvRows(page)));
    return { document: undefined, exitCode: EXIT_CODES.ok, written: true };
  }
  const paging = parseHistoryPaging({ page: argumentOf(context, 'page'), limit: request.limit, sortBy: argumentOf(context, 'sortBy'), legacy });
  const view = await readHistoryView(request, paging, env);
  if (legacy) return { document: legacyHistoryDocument(request, view), exitCode: EXIT_CODES.ok };
  if (format === 'table') return { document: undefined, exitCode: EXIT_CODES.ok, text: `${formatTable(view.rows)}${view.message}\n` };
  return { document: historyDocument(request, view, paging !== undefined), exitCode: EXIT_CODES.ok };
}
