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

/** After the day, what each kind of trade_date column needs (midnight UTC for timestamps). */
const DAY_SUFFIX: Record<TradeDateKind, string> = { date: '', timestamptz: ' 00:00:00+00', timestamp: ' 00:00:00' };

/** Backslash, tab and line breaks are COPY text format's specials; names from config may hold them. */
function copyEscape(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r')
    : text;
}

// The longest text of a double (`-1.2345678901234567e-308`), with its tab.
const NUMBER_BYTES = 25;
const TAB = 9;
const NEWLINE = 10;

/**
 * The symbols' rows in COPY text format (UTF-8), one line per bar, written straight into
 * one byte array. A backfill writes millions of lines: built as strings, each batch's text
 * lived long enough to be promoted and collected with the old generation, and building it
 * took several times as long as the bytes do. Values are written as JavaScript prints them
 * (the shortest form that reads back as the same double), so the column's own type
 * rounds them exactly as the upsert's casts do.
 */
export function copyRows(groups: readonly PackedBars[], kind: TradeDateKind, vocabulary: RowVocabulary = ROW_VOCABULARIES.crawler): Uint8Array {
  const encoder = new TextEncoder();
  const suffix = encoder.encode(DAY_SUFFIX[kind]);
  const validated = vocabulary.validated === undefined ? new Uint8Array() : encoder.encode(`\t${vocabulary.validated ? 't' : 'f'}`);
  const [weekday, weekend] = [encoder.encode(copyEscape(vocabulary.quality(false))), encoder.encode(copyEscape(vocabulary.quality(true)))];
  const parts = groups.map((group) => ({ group, code: encoder.encode(copyEscape(group.symbol)), source: encoder.encode(copyEscape(vocabulary.source(group.source))) }));
  let capacity = 0;
  for (const { group, code, source } of parts) {
    const line = code.length + 10 + suffix.length + 5 * NUMBER_BYTES + Math.max(weekday.length, weekend.length) + source.length + validated.length + 4;
    capacity += line * group.count;
  }
  const out = new Uint8Array(capacity);
  let at = 0;
  for (const { group, code, source } of parts) {
    const { count, values, days } = group;
    for (let i = 0; i < count; i += 1) {
      out.set(code, at);
      at += code.length;
      out[at++] = TAB;
      at = writeAscii(out, at, days[i] as string);
      out.set(suffix, at);
      at += suffix.length;
      for (let column = 0; column < 5; column += 1) {
        out[at++] = TAB;
        at = writeNumber(out, at, values[column * count + i] as number);
      }
      out[at++] = TAB;
      const quality = group.weekend[i] === 1 ? weekend : weekday;
      out.set(quality, at);
      at += quality.length;
      out[at++] = TAB;
      out.set(source, at);
      at += source.length;
      out.set(validated, at);
      at += validated.length;
      out[at++] = NEWLINE;
    }
  }
  return out.subarray(0, at);
}

/** `text` (ASCII: a day, a number) at `at`; returns the end. */
function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let k = 0; k < text.length; k += 1) out[at++] = text.charCodeAt(k);
  return at;
}

/** A number as `String(value)` prints it; whole numbers (volumes, round prices) without making a string. */
function writeNumber(out: Uint8Array, at: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) return writeAscii(out, at, String(value));
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  let rest = value;
  for (let k = at + digits - 1; k >= at; k -= 1) {
    out[k] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/** COPYs the symbols' bars into stock_daily_data on `connection`; resolves with the rows copied. */
export function copyBars(connection: BulkConnection, groups: readonly PackedBars[], kind: TradeDateKind, vocabulary: RowVocabulary): Promise<number> {
  return connection.copyFrom(copyTarget(vocabulary), copyRows(groups, kind, vocabulary));
}
