import type { DailyBar } from '../validate/daily-bar.js';

/** The row shape printed by `fetch`: what the Python backend reads. */
export type OutputRow = Omit<DailyBar, 'data_quality'>;

export const OUTPUT_COLUMNS = ['stock_code', 'trade_date', 'open_price', 'high_price', 'low_price', 'close_price', 'volume'] as const;

/** RFC 4180 CSV with a header row. Values here are codes, dates and numbers, so no quoting is needed. */
export function formatCsv(rows: readonly OutputRow[]): string {
  const lines = [OUTPUT_COLUMNS.join(',')];
  for (const row of rows) lines.push(OUTPUT_COLUMNS.map((column) => String(row[column])).join(','));
  return `${lines.join('\n')}\n`;
}

/** A right-aligned text table for people at a terminal. */
export function formatTable(rows: readonly OutputRow[]): string {
  const header = ['date', 'open', 'high', 'low', 'close', 'volume'];
  const body = rows.map((row) => [
    row.trade_date,
    String(row.open_price),
    String(row.high_price),
    String(row.low_price),
    String(row.close_price),
    String(row.volume),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
