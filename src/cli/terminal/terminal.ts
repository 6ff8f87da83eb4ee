import type { BatchSummary } from '../../documents/batch-summary.js';
import { createLogger, prettyRecord, type Logger } from '../../logger.js';
import { createProgressReporter, type ProgressReporter } from './progress.js';
import { formatRecap } from './recap.js';
import { createScreen, type Screen } from './screen.js';
import { createWarningFolder, formatFoldSummary, type FoldSummary, type LogRecord, type WarningFolder } from './warning-folder.js';

export interface TerminalOptions {
  /** Where people read: stderr, never stdout (stdout carries the command's JSON document). */
  stream: NodeJS.WritableStream & { columns?: number | undefined };
  /** Whether `stream` is a terminal (process.stderr.isTTY === true). */
  tty: boolean;
  /** `--quiet`: never a bar, no recap. */
  quiet: boolean;
  /** pino level of the logger handed out (the CLI lowers `info` to `warn` under --quiet). */
  level: string;
  /** On a terminal, repeats of a folded warning are counted for this long, ms (the foldIntervalMs setting). */
  foldIntervalMs: number;
  /** Warning messages that fold; default FOLDED_MESSAGES (`attempt failed`). */
  foldMessages?: readonly string[] | undefined;
  /** Between `progress` log lines when no bar is shown (the progressIntervalMs setting), ms. */
  progressIntervalMs: number;
  /** Clock of the fold windows and of the bar's rate and ETA, epoch ms; default Date.now. */
  now?: (() => number) | undefined;
}

/**
 * The one owner of stderr for a run. On a terminal, log lines are printed for people
 * (repeated warnings folded) and always above the progress bar, never inside it.
 * Off a terminal, log lines are pino JSON, every one, as written.
 */
export interface Terminal {
  /** The process logger; its lines go through the terminal. */
  readonly logger: Logger;
  /**
   * Progress of a run of `total` symbols: a bar on a terminal (not quiet), otherwise a
   * `progress` log line every `progressIntervalMs`. Stop it in a `finally`.
   */
  progress(total: number): ProgressReporter;
  /** The end of an `update` in a few lines for people; only on a terminal, and not when quiet. */
  recap(summary: BatchSummary): void;
  /** Says what is still folded and stops a bar left shown. Idempotent; the logger keeps working, unfolded. */
  close(): void;
}

const WARN = 40;

/** Creates the terminal and its logger; the caller closes it when the command is done. */
export function createTerminal(options: TerminalOptions): Terminal {
  const now = options.now ?? Date.now;
  const screen = options.tty ? createScreen(options.stream) : undefined;
  const folding = screen === undefined ? undefined : createFolding(screen, options, now);
  const write = screen === undefined ? (line: string) => void options.stream.write(line) : (line: string) => folding!.write(line);
  const logger = createLogger({ level: options.level, pretty: false, write });
  const bars: ProgressReporter[] = [];
  return {
    logger,
    progress(total) {
      const reporter = createProgressReporter({
        total,
        tty: options.tty,
        quiet: options.quiet,
        stream: options.stream,
        logger,
        now,
        intervalMs: options.progressIntervalMs,
        screen,
      });
      const stop = (): void => {
        // What was folded is said above the bar's last state, not after it.
        folding?.flush(true);
        reporter.stop();
      };
      bars.push({ update: (counts) => reporter.update(counts), stop });
      return bars.at(-1)!;
    },
    recap(summary) {
      if (screen === undefined || options.quiet) return;
      screen.print(formatRecap(summary).map((line) => `${line}\n`).join(''));
    },
    close() {
      for (const bar of bars.splice(0)) bar.stop();
      folding?.close();
    },
  };
}

interface Folding {
  /** One pino JSON line: printed for people, or counted. */
  write(line: string): void;
  /** Prints the windows that ended (`all`: every open one too). */
  flush(all: boolean): void;
  /** Flushes everything; later lines are printed unfolded. */
  close(): void;
}

/** The terminal's half of folding: the folder decides, this prints and keeps the timer. */
function createFolding(screen: Screen, options: TerminalOptions, now: () => number): Folding {
  let folder: WarningFolder | undefined = createWarningFolder({
    intervalMs: options.foldIntervalMs,
    messages: options.foldMessages,
  });
  let timer: NodeJS.Timeout | undefined;
  let timerAt: number | undefined;
  const print = (summaries: FoldSummary[]): void => {
    for (const summary of summaries) screen.print(prettyRecord({ time: summary.endedAt, level: WARN, msg: formatFoldSummary(summary) }));
  };
  const flush = (all: boolean): void => {
    if (folder === undefined) return;
    print(all ? folder.drain(now()) : folder.due(now()));
    schedule();
  };
  // One timer, for the earliest window's end: a window's count is said when it ends even
  // when no further line comes. Never the reason the process stays alive.
  const schedule = (): void => {
    const next = folder?.nextDueAt();
    if (next === timerAt) return;
    clearTimeout(timer);
    timerAt = next;
    if (next === undefined) return;
    timer = setTimeout(() => {
      timerAt = undefined;
      flush(false);
    }, Math.max(0, next - now()));
    timer.unref();
  };
  return {
    write(line) {
      const record = parse(line);
      if (record === undefined) return screen.print(line.endsWith('\n') ? line : `${line}\n`);
      if (folder === undefined) return screen.print(prettyRecord(record));
      // Windows that ended are said before anything that comes after them.
      print(folder.due(now()));
      const shown = folder.offer(record, now());
      schedule();
      if (shown) screen.print(prettyRecord(record));
    },
    flush,
    close() {
      flush(true);
      folder = undefined;
      schedule();
    },
  };
}

function parse(line: string): LogRecord | undefined {
  try {
    const record = JSON.parse(line) as unknown;
    return typeof record === 'object' && record !== null ? (record as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}
