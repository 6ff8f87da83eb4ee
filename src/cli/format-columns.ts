/** A cell as printed: text, a number, a flag, or nothing. */
export type Cell = string | number | boolean | null;

/**
 * Rows as CSV (RFC 4180: a header, fields quoted where they hold a comma, a quote or a line
 * break) or as a left-aligned text table for people. Names of instruments hold commas and
 * CJK text, so unlike bars these need quoting.
 */
export function formatColumns(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>, format: 'csv' | 'table'): string {
  const text = (cell: Cell): string => (cell === null ? '' : String(cell));
  if (format === 'csv') return [header, ...rows.map((row) => row.map(text))].map((line) => `${line.map(quote).join(',')}\n`).join('');
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null ? '-' : text(cell))))];
  const widths = header.map((_, i) => Math.max(...cells.map((line) => width(line[i] ?? ''))));
  return cells.map((line) => `${line.map((cell, i) => cell + ' '.repeat(widths[i]! - width(cell))).join('  ').trimEnd()}\n`).join('');
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Columns a string takes on a terminal: CJK ideographs and full-width forms take two. */
function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return columns;
}
