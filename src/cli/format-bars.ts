export const OUTPUT_COLUMNS = ['stock_code', 'trade_date', 'open_price', 'high_price', 'low_price', 'close_price', 'volume'] as const;

/**
 * A row as the formatters read it: a fetched row, or a stored row in which a value the
 * backend left NULL stays null (an empty CSV field, `-` in a table; never 0).
 */
export type PrintableRow = Readonly<Record<(typeof OUTPUT_COLUMNS)[number], string | number | null>>;

/** RFC 4180 CSV with a header row. Values here are codes, dates and numbers, so no quoting is needed. */
export function formatCsv(rows: readonly PrintableRow[]): string {
  return csvHeader() + csvRows(rows);
}

/** The CSV header line alone (with its newline), for CSV written page by page. */
export function csvHeader(): string {
  return `${OUTPUT_COLUMNS.join(',')}\n`;
}

/** CSV lines of `rows` without a header, each ending in a newline; '' for no rows. */
export function csvRows(rows: readonly PrintableRow[]): string {
  let text = '';
  for (const row of rows) text += `${OUTPUT_COLUMNS.map((column) => row[column] ?? '').join(',')}\n`;
  return text;
}

/** A right-aligned text table for people at a terminal. */
export function formatTable(rows: readonly PrintableRow[]): string {
  const header = ['date', 'open', 'high', 'low', 'close', 'volume'];
  const show = (value: string | number | null): string => (value === null ? '-' : String(value));
  const body = rows.map((row) => [
    show(row.trade_date),
    show(row.open_price),
    show(row.high_price),
    show(row.low_price),
    show(row.close_price),
    show(row.volume),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
