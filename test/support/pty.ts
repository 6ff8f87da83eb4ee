import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a command wrote to its terminal (stdout and stderr alike, as a pty merges them). */
export interface PtyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The raw bytes, decoded as UTF-8: text and escape sequences, "\n" turned into "\r\n" by the pty. */
  output: string;
}

export interface PtyOptions {
  /** Default the repository root. */
  cwd?: string;
  /** Added to PATH, TERM=xterm and SHELL=/bin/sh: nothing else of the test's environment leaks in. */
  env?: Record<string, string>;
  /** Size of the pseudo-terminal; default 200 × 50, so the bar is not cut. */
  columns?: number;
  rows?: number;
  /** SIGKILL after this long, ms (default 30,000): a hung child fails its test instead of the suite. */
  timeoutMs?: number;
}

/**
 * Runs `argv` on a real pseudo-terminal through util-linux `script -qfec CMD /dev/null`
 * (quiet, flush every write, return the child's exit code), so the command sees a TTY on
 * stdin, stdout and stderr, and returns everything it wrote there.
 */
export async function runInPty(argv: readonly string[], options: PtyOptions = {}): Promise<PtyRun> {
  const command = `stty cols ${options.columns ?? 200} rows ${options.rows ?? 50}; exec ${argv.map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', SHELL: '/bin/sh', ...options.env },
    // stdin stays open (a pipe never written to): on EOF `script` would send the child a ^D.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start script(1) from util-linux: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin!.destroy();
      if (errors !== '') reject(new Error(`script(1) complained: ${errors}`));
      else resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The screen a terminal shows after `output`, as lines (right-trimmed, trailing empty
 * lines dropped). Understands printable text, "\r", "\n" (down one line, column kept),
 * "\b", "\t", ESC 7 / ESC 8 (save / restore the cursor) and these CSI sequences: cursor
 * up/down/right/left (A B C D), to column (G), to row;column (H f), clear line (K: 0 right,
 * 1 left, 2 all), clear screen (J: 0 below, 2 all); SGR colours (m) and private modes
 * (`?25l`, `?7h` …) are ignored. Anything else throws, so a test notices bytes it does not
 * understand. No autowrap and no scrolling: a line is as long as what was written on it.
 * `onlcr`: the bytes are as a program wrote them (an in-memory stream), not as a pty passed
 * them on; the tty driver's ONLCR, "\n" → "\r\n", is applied first.
 */
export function replayScreen(output: string, options: { onlcr?: boolean } = {}): string[] {
  const screen: string[][] = [[]];
  const cursor = { row: 0, col: 0 };
  let saved = { ...cursor };
  const line = (): string[] => {
    while (screen.length <= cursor.row) screen.push([]);
    return screen[cursor.row]!;
  };
  const chars = Array.from(options.onlcr === true ? output.replace(/\r?\n/g, '\r\n') : output);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\x1b') {
      const next = chars[i + 1];
      if (next === '7' || next === '8') {
        if (next === '7') saved = { ...cursor };
        else Object.assign(cursor, saved);
        i += 1;
        continue;
      }
      if (next !== '[') throw new Error(`unknown escape sequence ESC ${JSON.stringify(next)} at ${i}`);
      let end = i + 2;
      while (end < chars.length && !/[@-~]/.test(chars[end]!)) end++;
      if (end >= chars.length) throw new Error(`unterminated escape sequence at ${i}`);
      applyCsi(chars.slice(i + 2, end).join(''), chars[end]!, screen, cursor, line);
      i = end;
    } else if (ch === '\r') cursor.col = 0;
    else if (ch === '\n') cursor.row += 1;
    else if (ch === '\b') cursor.col = Math.max(0, cursor.col - 1);
    else if (ch === '\t') cursor.col = (Math.floor(cursor.col / 8) + 1) * 8;
    else if (ch === '\x07') continue;
    else if (ch < ' ' || ch === '\x7f') throw new Error(`unknown control character ${JSON.stringify(ch)} at ${i}`);
    else {
      const row = line();
      while (row.length < cursor.col) row.push(' ');
      row[cursor.col] = ch;
      cursor.col += 1;
    }
  }
  const lines = screen.map((row) => row.join('').trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

function applyCsi(params: string, final: string, screen: string[][], cursor: { row: number; col: number }, line: () => string[]): void {
  // Private modes (cursor visibility, autowrap, bracketed paste) change nothing on screen.
  if (params.startsWith('?') && (final === 'h' || final === 'l')) return;
  if (final === 'm') return;
  const numbers = params === '' ? [] : params.split(';').map((part) => (part === '' ? Number.NaN : Number(part)));
  if (numbers.some((n) => !Number.isInteger(n))) throw new Error(`unknown escape sequence CSI ${params}${final}`);
  const n = numbers[0] ?? 0;
  const count = Math.max(1, n);
  switch (final) {
    case 'A':
      cursor.row = Math.max(0, cursor.row - count);
      return;
    case 'B':
      cursor.row += count;
      return;
    case 'C':
      cursor.col += count;
      return;
    case 'D':
      cursor.col = Math.max(0, cursor.col - count);
      return;
    case 'G':
      cursor.col = count - 1;
      return;
    case 'H':
    case 'f':
      cursor.row = count - 1;
      cursor.col = Math.max(1, numbers[1] ?? 1) - 1;
      return;
    case 'K': {
      const row = line();
      if (n === 0) row.splice(cursor.col);
      else if (n === 1) row.fill(' ', 0, Math.min(row.length, cursor.col + 1));
      else if (n === 2) row.splice(0);
      else break;
      return;
    }
    case 'J':
      if (n === 0) {
        line().splice(cursor.col);
        screen.splice(cursor.row + 1);
      } else if (n === 2) screen.splice(0);
      else break;
      return;
  }
  throw new Error(`unknown escape sequence CSI ${params}${final}`);
}
