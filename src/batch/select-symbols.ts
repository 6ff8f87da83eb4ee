import { SymbolError, UsageError } from '../errors.js';
import { normaliseSymbol } from '../validate/symbol.js';

/** How many bad entries an error message names before it only counts the rest. */
const NAMED_BAD = 5;
const MAX_ECHO = 24;

/** Commas and whitespace both separate symbols, so `2330, 2317` and `2330 2317` read alike. */
const SEPARATORS = /[\s,]+/;

interface BadEntry {
  where: string;
  token: string;
}

/**
 * Collects valid symbols (upper-cased, duplicates collapsed, first occurrence wins) and
 * every bad entry; memory for the bad ones stays bounded however hostile the input.
 */
class SymbolCollector {
  private readonly seen = new Set<string>();
  private readonly named: BadEntry[] = [];
  private badCount = 0;

  add(token: string, where: string): void {
    try {
      this.seen.add(normaliseSymbol(token));
    } catch (error) {
      if (!(error instanceof SymbolError)) throw error;
      this.badCount += 1;
      if (this.named.length < NAMED_BAD) this.named.push({ where, token });
    }
  }

  /** The symbols, or a UsageError naming the first bad entries and counting them all. */
  finish(origin: string): string[] {
    if (this.badCount > 0) {
      const listed = this.named.map((bad) => `${bad.where} ${JSON.stringify(printable(bad.token))}`).join(', ');
      const more = this.badCount > this.named.length ? ` and ${this.badCount - this.named.length} more` : '';
      const noun = this.badCount === 1 ? 'symbol' : 'symbols';
      throw new UsageError(
        `${origin}: ${this.badCount} invalid ${noun} (${listed}${more}); expected 4–6 digits and an optional letter, e.g. 2330, 00631L`,
      );
    }
    if (this.seen.size === 0) throw new UsageError(`${origin}: no symbols given`);
    return [...this.seen];
  }
}

/**
 * Symbols from the text of a `--symbols-file`: one or more per line (commas or spaces
 * between them), `#` starts a comment (whole-line or trailing), blank lines ignored,
 * LF, CRLF or CR line ends, a leading BOM tolerated. Every bad symbol is reported by
 * line number in one UsageError; `origin` (the path) prefixes the message.
 */
export function parseSymbolList(text: string, origin: string): string[] {
  const collector = new SymbolCollector();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((line, index) => {
    const hash = line.indexOf('#');
    const content = hash === -1 ? line : line.slice(0, hash);
    for (const token of content.split(SEPARATORS)) {
      if (token !== '') collector.add(token, `line ${index + 1}`);
    }
  });
  return collector.finish(origin);
}

/**
 * Symbols from `--symbols 2330,2317,…` (commas or spaces); bad ones are reported by
 * position (`item 3`) in one UsageError.
 */
export function parseSymbolArgument(csv: string): string[] {
  const collector = new SymbolCollector();
  let position = 0;
  for (const token of csv.split(SEPARATORS)) {
    if (token === '') continue;
    position += 1;
    collector.add(token, `item ${position}`);
  }
  return collector.finish('--symbols');
}

/**
 * The `stocks` table's active codes, checked like any other input before they reach a
 * URL: the table belongs to the backend, and a bad row there is not the operator's
 * mistake, so it is set aside (and reported) rather than failing the night.
 */
export function checkStoredSymbols(codes: readonly string[]): { valid: string[]; invalid: string[] } {
  const valid = new Set<string>();
  const invalid: string[] = [];
  for (const code of codes) {
    try {
      valid.add(normaliseSymbol(code));
    } catch (error) {
      if (!(error instanceof SymbolError)) throw error;
      invalid.push(printable(code));
    }
  }
  return { valid: [...valid], invalid };
}

/** The I/O `readSymbolsFile` needs; the CLI passes fs.readFile and a stdin reader. */
export interface SymbolFileReaders {
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
}

/**
 * Reads and parses a `--symbols-file`; `-` means standard input. An unreadable file is a
 * UsageError naming the path and the errno code (ENOENT, EACCES, EISDIR …), exit 2.
 */
export async function readSymbolsFile(path: string, readers: SymbolFileReaders): Promise<string[]> {
  const fromStdin = path === '-';
  const origin = fromStdin ? 'standard input' : printable(path, 200);
  let text: string;
  try {
    text = fromStdin ? await readers.readStdin() : await readers.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    throw new UsageError(`--symbols-file: cannot read ${origin} (${code})`, { cause: error });
  }
  return parseSymbolList(text, `--symbols-file ${origin}`);
}

/** Keeps messages one line long and free of control characters whatever the input holds. */
function printable(input: string, max = MAX_ECHO): string {
  const clean = input.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
