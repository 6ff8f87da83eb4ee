import type { Config } from '../../config/schema.js';
import { EXIT_CODES, UsageError } from '../../errors.js';
import { readHistoryPages, type HistoryQuery, type HistoryRow } from '../../db/bars/history-query.js';
import type { Logger } from '../../logger.js';
import { normaliseSymbol } from '../../validate/symbol.js';
import type { CommandOutput, OutputWriter } from '../command-output.js';
import { csvHeader, csvRows, formatTable } from '../format-bars.js';
import { openStore } from '../open-store.js';

/** What main.ts hands `history`: the flags as typed, checked here. */
export interface HistoryCommandInput {
  symbol: string;
  /** --from, as typed: 'YYYY-MM-DD'. */
  from?: string | undefined;
  /** --to, as typed: 'YYYY-MM-DD'. */
  to?: string | undefined;
  /** --limit, as typed: a positive integer. */
  limit?: string | undefined;
  order: 'asc' | 'desc';
  format: 'json' | 'csv' | 'table';
  config: Config;
  logger: Logger;
  /** stdout with backpressure; CSV is written through it page by page. */
  write: OutputWriter;
  /** Rows per statement (tests use a small one to cross page boundaries). */
  pageSize?: number | undefined;
}

/** The checked arguments of `history`. */
export type HistoryRequest = Omit<HistoryQuery, 'pageSize'>;

/**
 * `stock-crawler history <symbol>`: the stored bars of one symbol, read in keyset pages.
 * CSV streams (header, then each page as it is read; never the whole table in memory);
 * JSON and table are assembled, a symbol holding a few thousand rows at most.
 *
 * The JSON document: `{success, message, stock_code, data: [rows as in fetch],
 * total_records: data.length, from, to, order, limit, source: 'node'}` where `from`/`to`
 * echo the range asked (null for an open end), not the first/last row returned: with
 * `--order desc` or `--limit` those would be ambiguous, and data[0] already says them.
 * An unknown symbol is an empty result (exit 0).
 * @throws SymbolError, UsageError (exit 2) before the database is opened.
 */
export async function historyCommand(input: HistoryCommandInput): Promise<CommandOutput> {
  const request = parseHistoryRequest(input);
  const { config, logger } = input;
  const started = performance.now();
  const store = await openStore(config, logger);
  try {
    const pages = readHistoryPages(store.handle.db, store.bars.tradeDateKind, { ...request, pageSize: input.pageSize });
    if (input.format === 'csv') {
      let count = 0;
      await input.write(csvHeader());
      for await (const page of pages) {
        count += page.length;
        await input.write(csvRows(page));
      }
      logRead(logger, request, count, started);
      return { document: undefined, exitCode: EXIT_CODES.ok, written: true };
    }
    const rows: HistoryRow[] = [];
    for await (const page of pages) rows.push(...page);
    logRead(logger, request, rows.length, started);
    const message = describe(request, rows);
    if (input.format === 'table') return { document: undefined, exitCode: EXIT_CODES.ok, text: `${formatTable(rows)}${message}\n` };
    const document = {
      success: true,
      message,
      stock_code: request.symbol,
      data: rows,
      total_records: rows.length,
      from: request.from ?? null,
      to: request.to ?? null,
      order: request.order,
      limit: request.limit ?? null,
      source: 'node',
    };
    return { document, exitCode: EXIT_CODES.ok };
  } finally {
    await store.close();
  }
}

/**
 * Checks the command's arguments without touching anything: the symbol, real calendar
 * days, from ≤ to, a positive integer limit.
 * @throws SymbolError for the symbol, UsageError for the rest.
 */
export function parseHistoryRequest(input: Pick<HistoryCommandInput, 'symbol' | 'from' | 'to' | 'limit' | 'order'>): HistoryRequest {
  const symbol = normaliseSymbol(input.symbol);
  const from = input.from === undefined ? undefined : parseDay(input.from, '--from');
  const to = input.to === undefined ? undefined : parseDay(input.to, '--to');
  // ISO days compare as strings.
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const limit = input.limit === undefined ? undefined : parseLimit(input.limit);
  if (input.order !== 'asc' && input.order !== 'desc') throw new UsageError(`--order must be asc or desc, not ${echo(input.order)}`);
  return { symbol, from, to, limit, order: input.order };
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' naming a real day (2024-02-29 yes, 2023-02-29 and 2024-02-30 no), year 1 or later. */
function parseDay(text: string, flag: string): string {
  const match = DAY_PATTERN.exec(text);
  if (match !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    if (year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return text;
  }
  throw new UsageError(`${flag} ${echo(text)} is not a calendar day; expected YYYY-MM-DD, e.g. 2024-01-31`);
}

function parseLimit(text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= 1) return value;
  throw new UsageError(`--limit ${echo(text)} is not a positive integer`);
}

/** The input quoted, one line, control characters escaped, at most 24 characters. */
function echo(text: string): string {
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}

function describe(request: HistoryRequest, rows: readonly HistoryRow[]): string {
  const asked = `${request.from ?? 'start'}..${request.to ?? 'end'}${request.limit === undefined ? '' : `, limit ${request.limit}`}`;
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined) return `${request.symbol}: no stored bars (${asked})`;
  return `${request.symbol}: ${rows.length} bars, ${first.trade_date} to ${last.trade_date} (${asked})`;
}

function logRead(logger: Logger, request: HistoryRequest, rows: number, started: number): void {
  logger.info({ symbol: request.symbol, rows, ms: Math.round(performance.now() - started) }, 'history read');
}
