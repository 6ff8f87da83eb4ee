import type { BulkConnection } from '../connection/bulk-transaction.js';
import type { PackedBars } from './packed-bars.js';
import { ROW_VOCABULARIES, type RowVocabulary } from './row-vocabulary.js';
import type { TradeDateKind } from '../schema/trade-date-sql.js';

/** The columns a COPY fills; every other column takes its default (ids, timestamps) or stays NULL. */
const COPY_COLUMNS = [
  'stock_code',
  'trade_date',
  'open_price',
  'high_price',
  'low_price',
  'close_price',
  'volume',
  'data_quality',
  'data_source',
] as const;

/** What the COPY fills: the table and its columns, is_validated too when the vocabulary writes it. */
export function copyTarget(vocabulary: RowVocabulary): string {
  const columns = vocabulary.validated === undefined ? COPY_COLUMNS : [...COPY_COLUMNS, 'is_validated'];
  return `stock_daily_data (${columns.join(', ')})`;
}

/**
 * Which of `symbols` have no stored row at all: their bars can go in by COPY, which
 * cannot conflict with anything. One probe of the unique index per symbol.
 */
export const FRESH_SYMBOLS_SQL = `select s.code as stock_code
  from unnest($1::text[]) as s(code)
  where not exists (select 1 from stock_daily_data as d where d.stock_code = s.code)`;

/** COPY's text form of the trading day for each kind of trade_date column (midnight UTC for timestamps). */
function dayText(kind: TradeDateKind, day: string): string {
  switch (kind) {
    case 'date':
      return day;
    case 'timestamptz':
      return `${day} 00:00:00+00`;
    case 'timestamp':
      return `${day} 00:00:00`;
  }
}

/** Backslash, tab and line breaks are COPY text format's specials; names from config may hold them. */
function copyEscape(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r')
    : text;
}

/**
 * One symbol's rows in COPY text format, one line per bar. Values are written as
 * JavaScript prints them (the shortest form that reads back as the same double), so
 * the column's own type rounds them exactly as the upsert's casts do.
 */
export function copyText(packed: PackedBars, kind: TradeDateKind, vocabulary: RowVocabulary = ROW_VOCABULARIES.crawler): string {
  const code = copyEscape(packed.symbol);
  const source = copyEscape(vocabulary.source(packed.source));
  const [weekday, weekend] = [copyEscape(vocabulary.quality(false)), copyEscape(vocabulary.quality(true))];
  const validated = vocabulary.validated === undefined ? '' : `\t${vocabulary.validated ? 't' : 'f'}`;
  const { count, values } = packed;
  let text = '';
  for (let i = 0; i < count; i += 1) {
    const quality = packed.weekend[i] === 1 ? weekend : weekday;
    text += `${code}\t${dayText(kind, packed.days[i] as string)}\t${values[i]}\t${values[count + i]}\t${values[2 * count + i]}\t${values[3 * count + i]}\t${values[4 * count + i]}\t${quality}\t${source}${validated}\n`;
  }
  return text;
}

/** COPYs the symbols' bars into stock_daily_data on `connection`; resolves with the rows copied. */
export function copyBars(connection: BulkConnection, groups: readonly PackedBars[], kind: TradeDateKind, vocabulary: RowVocabulary): Promise<number> {
  return connection.copyFrom(copyTarget(vocabulary), textChunks(groups, kind, vocabulary));
}

/** Built lazily, one symbol at a time, so a large batch never sits in memory as one string. */
async function* textChunks(groups: readonly PackedBars[], kind: TradeDateKind, vocabulary: RowVocabulary): AsyncGenerator<string> {
  for (const group of groups) yield copyText(group, kind, vocabulary);
}
