import { readUniverse } from '../../batch/reference-run.js';
import type { UniverseRow } from '../../db/market/universe-query.js';
import { EXIT_CODES } from '../../errors.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';
import { formatColumns } from '../format-columns.js';

const COLUMNS = ['stock_code', 'stock_name', 'market', 'type', 'industry', 'isin', 'listed_date', 'is_active', 'delisted_date'] as const;

/** `stock-crawler symbols [--market M] [--type T,…] [--all] [--format json|csv|table]`: the universe as stored. */
export async function symbolsCommand(context: CommandContext): Promise<CommandOutput> {
  const market = argumentOf(context, 'market');
  const types = argumentOf(context, 'type');
  const all = argumentOf(context, 'all') === true;
  const rows = await readUniverse({ markets: market === undefined ? undefined : [market], types, all }, context);
  const format = argumentOf(context, 'format');
  const message = `${rows.length} ${all ? '' : 'active '}symbols${market === undefined ? '' : ` of ${market}`}${types === undefined ? '' : ` (${types.join(', ')})`}`;
  if (format === 'json') return { document: { success: true, message, total: rows.length, data: rows.map(shown), source: 'node' }, exitCode: EXIT_CODES.ok };
  const table = rows.map((row) => COLUMNS.map((column) => shown(row)[column]));
  return { document: undefined, exitCode: EXIT_CODES.ok, text: formatColumns([...COLUMNS], table, format) + (format === 'table' ? `${message}\n` : '') };
}

function shown(row: UniverseRow): Record<(typeof COLUMNS)[number] | 'cfi' | 'first_seen' | 'last_seen', string | boolean | null> {
  return {
    stock_code: row.stock_code,
    stock_name: row.stock_name,
    market: row.market,
    type: row.type,
    industry: row.industry,
    isin: row.isin,
    cfi: row.cfi,
    listed_date: row.listed_date,
    is_active: row.is_active,
    delisted_date: row.delisted_date,
    first_seen: row.first_seen?.toISOString() ?? null,
    last_seen: row.last_seen?.toISOString() ?? null,
  };
}
