import { runFetch } from '../../batch/fetch-run.js';
import { mirrorsFrom } from '../../config/slices.js';
import { fetchDocument, fetchedRows, legacyFetchDocument } from '../fetch-output.js';
import { buildLegacyFetchError } from '../../documents/legacy-fetch-error.js';
import { exitCodeFor, SymbolError } from '../../errors.js';
import { normaliseSymbol } from '../../validate/symbol.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';
import { formatCsv, formatTable } from '../format-bars.js';

/**
 * `stock-crawler fetch <symbol>`: one symbol's whole history through the crawl pipeline
 * into the database; prints the fetch document (or a table or CSV of the rows, or with
 * `--shape legacy` the old service's document).
 */
export async function fetchCommand(context: CommandContext): Promise<CommandOutput> {
  const legacy = argumentOf(context, 'shape') === 'legacy';
  try {
    return await fetchOne(context, legacy);
  } catch (error) {
    if (!legacy) throw error;
    // The old endpoint answered every failure with `{detail}`; the reason still goes to stderr.
    context.logger.error({ err: error }, 'fetch failed');
    const failure = error instanceof SymbolError ? 'invalid_symbol' : 'internal';
    return { document: buildLegacyFetchError({ symbol: context.args[0] ?? '', failure }), exitCode: exitCodeFor(error) };
  }
}

async function fetchOne(context: CommandContext, legacy: boolean): Promise<CommandOutput> {
  // A bad symbol stops here: no request, no database.
  const symbol = normaliseSymbol(context.args[0] ?? '');
  const dryRun = argumentOf(context, 'dryRun') === true;
  const skipFresh = argumentOf(context, 'skipFresh') === true;
  const format = argumentOf(context, 'format');
  const { config } = context;
  const end = await runFetch({ symbol, dryRun, skipFresh }, { config, logger: context.logger, signal: context.signal });
  const shown = { symbol, dryRun, mirrorCount: mirrorsFrom(config).length, timeZone: config.timeZone };
  if (legacy) return { document: legacyFetchDocument(end, shown), exitCode: end.exitCode };
  const document = fetchDocument(end, shown);
  if (document.success !== true || format === 'json') return { document, exitCode: end.exitCode };
  const rows = fetchedRows(end.bars);
  const text = format === 'csv' ? formatCsv(rows) : `${formatTable(rows)}${String(document.message)}\n`;
  return { document, exitCode: end.exitCode, text };
}
