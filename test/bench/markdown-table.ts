/** A cell: numbers as they are, null as "—". */
export type Cell = string | number | boolean | null | undefined;

/** A Markdown table (GitHub flavour), columns padded so that it also reads as plain text. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = [header.map(String), ...rows.map((row) => header.map((_, i) => cell(row[i])))];
  const widths = header.map((_, i) => Math.max(3, ...text.map((row) => (row[i] as string).length)));
  const line = (row: string[]): string => `| ${row.map((value, i) => value.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(text[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...text.slice(1).map(line)].join('\n');
}

function cell(value: Cell): string {
  if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
