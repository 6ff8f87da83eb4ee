import type * as z from 'zod/mini';
import type { ValueTypes } from './value-types.js';

/**
 * Every option of the CLI, declared once: its key (the config-file key and the name the
 * code reads), flag, environment variable, default, type and help. The zod schema
 * (schema.ts), the commander flags of every command (cli/program.ts), `--print-config`
 * and the README's configuration table are all built from, or checked against, this
 * table. Plain data and type-only imports: `--help` reads it without loading zod.
 *
 * Two kinds:
 * - settings (`setting: true`): layered defaults < config file < environment < flag, each
 *   checked against its type and reported by `--print-config`. Those without `flag` are
 *   set by file or environment only (tuning knobs nobody types per run).
 * - arguments: a command's own flags (`--symbols`, `--dry-run` …), never read from a file
 *   or the environment.
 */

/** The commands of the CLI. */
export const COMMAND_NAMES = ['fetch', 'update', 'history', 'health', 'migrate', 'sync', 'symbols', 'verify'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Where a flag is offered: every command, or the commands listed. */
export type Scope = 'global' | readonly CommandName[];

export interface OptionDeclaration<T extends z.ZodMiniType = z.ZodMiniType> {
  /** The value's type, built with the schema's builders when a command runs. */
  type: (t: ValueTypes) => T;
  /** The value when none is given, as it would be given (a list as its text); absent: unset (undefined). */
  default?: z.input<T>;
  /** How the default reads in help and the README when it is not the value itself. */
  defaultText?: string;
  /** A setting (layered, in `--print-config`) rather than a command's own argument. */
  setting?: boolean;
  /** Environment variable of a setting; default STOCK_CRAWLER_<KEY_IN_SNAKE_CASE>. */
  env?: string;
  /** Commander's spelling, e.g. `--concurrency <n>`; absent: no flag. */
  flag?: string;
  /** The commands that offer the flag. */
  scope?: Scope;
  /** Allowed values, shown in help (the type enforces them). */
  choices?: readonly string[];
  /** The flag's value as given → the setting's value (e.g. seconds → ms); identity when absent. */
  fromFlag?: (value: string | boolean) => unknown;
  /** Never printed or logged as it is. */
  secret?: boolean;
  help: string;
}

/** Keeps each declaration's literal shape (which keys it has) for the types derived below. */
export function declare<T extends z.ZodMiniType, const D extends OptionDeclaration<T>>(declaration: D & OptionDeclaration<T>): D {
  return declaration;
}

/** The commands that crawl (their pool settings are flags of theirs), and those that publish metrics. */
export const CRAWLING: readonly CommandName[] = ['update', 'verify'];
export const RUNS_WITH_METRICS: readonly CommandName[] = ['fetch', 'update', 'verify'];
