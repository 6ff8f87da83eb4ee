import { CrawlerError, EXIT_CODES, exitCodeFor } from '../errors.js';
import { maskPasswordsOf } from '../db/runs/sanitize-arguments.js';
import type { Logger } from '../logger.js';

/** Where a failure is printed. */
export interface FailureOutput {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/**
 * Reports a command's failure: one `stock-crawler: …` line on stderr and one JSON
 * document on stdout, passwords masked whatever quoted them; returns the exit code.
 * A closed stdout (`… | head`) is not a failure of ours.
 */
export function reportFailure(
  error: unknown,
  output: FailureOutput,
  options: { logger?: Logger | undefined; verbose: boolean; databaseUrls: ReadonlyArray<string | undefined> },
): number {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return EXIT_CODES.ok;
  const code = error instanceof CrawlerError ? error.code : 'E_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = exitCodeFor(error);
  if (options.verbose && error instanceof Error) options.logger?.debug({ err: maskedError(error, options.databaseUrls) }, 'failure details');
  const hint = exitCode === EXIT_CODES.internal && error instanceof Error && !options.verbose ? ' (run with --log-level debug for details)' : '';
  printFailure(output, message, code, hint, options.databaseUrls);
  return exitCode;
}

/** The one stderr line and the one stdout document of every failure, bad flags included. */
export function printFailure(output: FailureOutput, message: string, code: string, hint: string, databaseUrls: ReadonlyArray<string | undefined>): void {
  const text = oneLine(maskPasswordsOf(message, [...databaseUrls]));
  output.stderr.write(`stock-crawler: ${text}${hint}\n`);
  output.stdout.write(`${JSON.stringify({ success: false, message: text, error: { code }, source: 'node' })}\n`);
}

/** The error as pino would log it (type, code, message, stack with its causes), passwords masked. */
function maskedError(error: Error, databaseUrls: ReadonlyArray<string | undefined>): Record<string, unknown> {
  const mask = (text: string): string => maskPasswordsOf(text, [...databaseUrls]);
  let stack = error.stack ?? error.message;
  for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as Error).cause, depth++) {
    stack += `\ncaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
  }
  return { type: error.name, code: (error as { code?: unknown }).code, message: mask(error.message), stack: mask(stack) };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
