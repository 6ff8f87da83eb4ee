import { flagNameOf, OPTIONS, type OptionDeclaration, type OptionKey, type OptionValue } from '../config/options.js';
import { schemaOf, type Config } from '../config/schema.js';
import type { BatchSummary } from '../documents/batch-summary.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OutputWriter } from './command-output.js';

/** The streams and environment the CLI runs against; the process's own in production. */
export interface CliStreams {
  stdout: { write(chunk: string, callback?: (error?: Error | null) => void): unknown; isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** For `--symbols-file -`. */
  stdin?: NodeJS.ReadableStream;
}

/** stderr for people: a progress display and, at the end of a run, a recap. */
export interface PeopleOutput {
  /** A progress bar on a terminal, `progress` log lines otherwise; stopped by the run. */
  progress(total: number): { update(counts: { done: number; failed: number; skipped: number }): void; stop(): void };
  /** A few lines saying how a batch went (on a terminal only). */
  recap(summary: BatchSummary): void;
}

/** What a command gets from the shell: its arguments, the settings, and the process's edges. */
export interface CommandContext {
  /** The positional argument(s), e.g. the symbol of `fetch`. */
  args: readonly string[];
  /** Every flag given, by option key, as commander read it. */
  values: Partial<Record<OptionKey, unknown>>;
  config: Config;
  logger: Logger;
  streams: CliStreams;
  /** stdout with backpressure, for output streamed page by page. */
  write: OutputWriter;
  /** Aborted by the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  terminal: PeopleOutput;
}

/** An argument's value: never undefined when the option declares a default. */
export type ArgumentValue<K extends OptionKey> = (typeof OPTIONS)[K] extends { default: unknown } ? OptionValue<K> : OptionValue<K> | undefined;

/**
 * A command's own argument, checked against its declared type, or its declared default
 * when it was not given (a setting reaches the command through `config` instead).
 * @throws UsageError naming the flag, for a value its type refuses.
 */
export function argumentOf<K extends OptionKey>(context: Pick<CommandContext, 'values'>, key: K): ArgumentValue<K> {
  const value = context.values[key] ?? (OPTIONS[key] as OptionDeclaration).default;
  if (value === undefined) return undefined as ArgumentValue<K>;
  const checked = schemaOf(key).safeParse(value);
  if (checked.success) return checked.data as ArgumentValue<K>;
  throw new UsageError(`${flagNameOf(key) ?? key}: ${checked.error.issues[0]?.message ?? 'invalid value'}`);
}
