/**
 * Just enough HTML reading for the exchange's generated pages: rows of cell texts of the
 * table that holds a given header. Not a general parser — the pages are machine-written,
 * leave tags unclosed (`<B> 股票 <B>`) and carry no scripts, and a real parser would be a
 * dependency for one table.
 */

/** The rows of one table, each a list of cell texts (tags stripped, entities decoded, ends trimmed). */
export interface HtmlTable {
  rows: string[][];
  /** Whether the table's `</table>` was seen: a page cut short lacks it. */
  closed: boolean;
}

/**
 * Reads the table whose row holds `headerText`, from that row on; null when no such row
 * exists. Rows before the header row (and other tables) are ignored.
 */
export function readTableWithHeader(html: string, headerText: string): HtmlTable | null {
  const at = html.indexOf(headerText);
  if (at < 0) return null;
  const lower = html.toLowerCase();
  const rowStart = lower.lastIndexOf('<tr', at);
  const start = rowStart < 0 ? at : rowStart;
  const end = lower.indexOf('</table', at);
  const body = html.slice(start, end < 0 ? html.length : end);
  const rows: string[][] = [];
  for (const chunk of body.split(/<tr\b[^>]*>/i)) {
    const parts = chunk.split(/<t[dh]\b[^>]*>/i);
    if (parts.length < 2) continue; // text before the first row, or a row without cells
    rows.push(parts.slice(1).map(cellText));
  }
  return { rows, closed: end >= 0 };
}

/** Whether the document ends its body (`</body>` or `</html>`), as a page cut short does not. */
export function documentEnded(html: string): boolean {
  return /<\/(body|html)\s*>/i.test(html.slice(-4096));
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A cell's text: tags removed, entities decoded, runs of ASCII whitespace made one space, ends trimmed. */
export function cellText(raw: string): string {
  return raw
    .replace(/<[^>]*>?/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => decodeEntity(entity, name))
    .replace(/[ \t\r\n\f]+/g, ' ')
    .trim();
}

function decodeEntity(entity: string, name: string): string {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  }
  return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
}
