import type { HistoryPaging, HistoryRequest } from '../batch/history-run.js';
import { HISTORY_PAGE_DEFAULTS, MAX_HISTORY_PAGE_LIMIT, type HistorySortKey } from '../db/bars/history-page.js';
import { UsageError } from '../errors.js';
import { normaliseSymbol } from '../validate/symbol.js';

/** `history`'s arguments as typed. */
export interface HistoryArguments {
  symbol: string;
  /** 'YYYY-MM-DD' */
  from?: string | undefined;
  /** 'YYYY-MM-DD' */
  to?: string | undefined;
  /** A positive integer. */
  limit?: string | undefined;
  order: 'asc' | 'desc';
}

/**
 * Checks the command's arguments without touching anything: the symbol, real calendar
 * days, from ≤ to, a positive integer limit.
 * @throws SymbolError for the symbol, UsageError for the rest.
 */
export function parseHistoryRequest(input: HistoryArguments): HistoryRequest {
  const symbol = normaliseSymbol(input.symbol);
  const from = input.from === undefined ? undefined : parseDay(input.from, '--from');
  const to = input.to === undefined ? undefined : parseDay(input.to, '--to');
  // ISO days compare as strings.
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const limit = input.limit === undefined ? undefined : parseLimit(input.limit);
  if (input.order !== 'asc' && input.order !== 'desc') throw new UsageError(`--order must be asc or desc, not ${echo(input.order)}`);
  return { symbol, from, to, limit, order: input.order };
}

/**
 * The page of a JSON or table `history`: the old endpoint's paging (page 1 of 50 by date
 * unless said otherwise) when a page, a limit or a sort key is asked for, or the old
 * shape; otherwise undefined, the whole range.
 * @throws UsageError for a page that is not a positive integer or a limit over 1000.
 */
export function parseHistoryPaging(input: { page?: string | undefined; limit?: number | undefined; sortBy?: HistorySortKey | undefined; legacy: boolean }): HistoryPaging | undefined {
  if (input.page === undefined && input.limit === undefined && input.sortBy === undefined && !input.legacy) return undefined;
  const page = input.page === undefined ? HISTORY_PAGE_DEFAULTS.page : parsePositive(input.page, '--page');
  const limit = input.limit ?? HISTORY_PAGE_DEFAULTS.limit;
  if (limit > MAX_HISTORY_PAGE_LIMIT) throw new UsageError(`--limit ${limit} is over ${MAX_HISTORY_PAGE_LIMIT}, the most rows a page holds (CSV has no such limit)`);
  return { page, limit, sortBy: input.sortBy ?? HISTORY_PAGE_DEFAULTS.sortBy };
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * 'YYYY-MM-DD' naming a real day (2024-02-29 yes, 2023-02-29 and 2024-02-30 no), year 1 or later.
 * @throws UsageError naming `flag`.
 */
export function parseDay(text: string, flag: string): string {
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
  return parsePositive(text, '--limit');
}

function parsePositive(text: string, flag: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= 1) return value;
  throw new UsageError(`${flag} ${echo(text)} is not a positive integer`);
}

/** The input quoted, one line, control characters escaped, at most 24 characters. */
function echo(text: string): string {
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}

