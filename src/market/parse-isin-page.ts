import { documentEnded, readTableWithHeader } from './html-table.js';
import type { SourceRefusal } from './source-refusal.js';

/** The header cell that marks the ISIN table. */
export const ISIN_HEADER = '有價證券代號及名稱';

/** One row of an ISIN page, as printed (only trimmed); the code may break the symbol rule. */
export interface IsinRow {
  code: string;
  name: string;
  isin: string | null;
  /** 上市日 as `YYYY-MM-DD`; null when blank or not a date. */
  listedDate: string | null;
  /** 產業別; null when blank (ETFs have none). */
  industry: string | null;
  cfi: string | null;
  /** The section row above it: `股票`, `ETF`, `上市認購(售)權證`… */
  section: string;
}

/** The rows of an ISIN page, and the rows that could not be read as one. */
export interface IsinPage {
  rows: IsinRow[];
  /** Rows with too few cells to hold an instrument. */
  malformed: number;
}

export type IsinPageResult = { ok: true; page: IsinPage } | { ok: false; refusal: SourceRefusal };

interface Columns {
  codeName: number;
  isin: number | undefined;
  listed: number | undefined;
  industry: number | undefined;
  cfi: number | undefined;
  width: number;
}

/**
 * Reads an ISIN page (already decoded): the table whose header row starts with
 * 有價證券代號及名稱, one-cell section rows, and seven-cell rows whose first cell holds the
 * code and the name separated by a full-width space (U+3000). Columns are found by their
 * header text, so a reordered page still reads.
 * Refuses a page without that table (`no_table`: a block or error page), one whose table
 * never ends (`truncated`), and one with no rows (`empty`).
 */
export function parseIsinPage(text: string): IsinPageResult {
  const table = readTableWithHeader(text, ISIN_HEADER);
  const header = table?.rows[0];
  const columns = header === undefined ? undefined : columnsOf(header);
  if (table === null || columns === undefined) {
    return refuse('no_table', `the page holds no ISIN table (no ${ISIN_HEADER} header): a block or error page`);
  }
  if (!table.closed && !documentEnded(text)) {
    return refuse('truncated', `the page ends inside its table after ${table.rows.length - 1} rows: cut short`);
  }
  const rows: IsinRow[] = [];
  let malformed = 0;
  let section = '';
  for (const cells of table.rows.slice(1)) {
    if (cells.length === 1) {
      section = cells[0] ?? '';
      continue;
    }
    if (cells.length < columns.width) {
      malformed += 1;
      continue;
    }
    rows.push(rowOf(cells, columns, section));
  }
  if (rows.length === 0) return refuse('empty', 'the ISIN table has no rows');
  return { ok: true, page: { rows, malformed } };
}

function refuse(reason: SourceRefusal['reason'], message: string): IsinPageResult {
  return { ok: false, refusal: { reason, message } };
}

function columnsOf(header: readonly string[]): Columns | undefined {
  const find = (pattern: RegExp): number | undefined => {
    const index = header.findIndex((cell) => pattern.test(cell));
    return index < 0 ? undefined : index;
  };
  const codeName = find(new RegExp(ISIN_HEADER));
  if (codeName === undefined) return undefined;
  const columns = {
    codeName,
    isin: find(/ISIN/i),
    listed: find(/上市日|上櫃日|掛牌日|發行日/),
    industry: find(/產業別/),
    cfi: find(/CFI/i),
  };
  const used = Object.values(columns).filter((index): index is number => index !== undefined);
  return { ...columns, width: Math.max(...used) + 1 };
}

function rowOf(cells: readonly string[], columns: Columns, section: string): IsinRow {
  const first = cells[columns.codeName] ?? '';
  // Code and name are split by U+3000; \s covers it, and the ordinary space some rows use.
  const split = /^(\S+)\s+(.*)$/u.exec(first);
  const cell = (index: number | undefined): string | null => {
    const value = index === undefined ? '' : (cells[index] ?? '');
    return value === '' ? null : value;
  };
  return {
    code: (split?.[1] ?? first).toUpperCase(),
    name: (split?.[2] ?? '').trim(),
    isin: cell(columns.isin),
    listedDate: slashDate(cell(columns.listed)),
    industry: cell(columns.industry),
    cfi: cell(columns.cfi)?.toUpperCase() ?? null,
    section,
  };
}

/** `YYYY/MM/DD` → `YYYY-MM-DD` when it is a real day; otherwise null. */
function slashDate(text: string | null): string | null {
  const match = text === null ? null : /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text);
  if (match === null) return null;
  const day = `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? null : day;
}
