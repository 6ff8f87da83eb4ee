import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { Command, CommanderError, Option } from 'commander';
import { CrawlerError, EXIT_CODES, exitCodeFor, exitCodeForSignal, UsageError } from '../errors.js';
import type { LoadedConfig } from '../config/load-config.js';
import { maskPasswordsOf } from '../db/runs/sanitize-arguments.js';
import type { Config, ConfigKey } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { CommandOutput, OutputWriter } from './command-output.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Where SIGINT/SIGTERM come from; the process in production, absent in in-process tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
  /** Ends the process at once: only for a second signal, when the user insists. */
  exitNow(code: number): void;
}

/** The streams and environment the CLI runs against; the process's own in production. */
export interface CliIo {
  stdout: { write(chunk: string, callback?: (error?: Error | null) => void): unknown; isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** For `--symbols-file -`. */
  stdin?: NodeJS.ReadableStream;
  signals?: SignalSource;
}

interface Invocation {
  command: 'fetch' | 'update' | 'history' | 'health' | 'migrate' | 'print-config';
  args: string[];
  options: Record<string, unknown>;
}

/** Flags that set configuration keys (the rest are a command's own arguments). */
const CONFIG_FLAG_KEYS: ReadonlyArray<ConfigKey> = [
  'databaseUrl',
  'dataDir',
  'brokers',
  'logLevel',
  'quiet',
  'concurrency',
  'perMirror',
  'spacingMs',
  'shard',
  'metricsFile',
  'pushgateway',
];

const DEFAULT_WAIT_LOCK_MS = 15 * 60_000;

/**
 * Parses argv, runs one command and writes its single JSON document (or table/CSV) to
 * stdout; logs and errors go to stderr. Returns the exit code; never calls process.exit.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation | undefined;
  const program = buildProgram((found) => {
    invocation = found;
  }, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, io);
    throw error;
  }
  if (invocation === undefined) return EXIT_CODES.ok;
  return execute(invocation, io);
}

function buildProgram(found: (invocation: Invocation) => void, io: CliIo): Command {
  const program = new Command('stock-crawler')
    .description('Keeps a PostgreSQL table of daily OHLCV bars for Taiwan-listed stocks fresh.')
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Printed by commanderExit instead, as one line like every other failure.
      outputError: () => undefined,
    })
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); default: embedded database')
    .option('--data-dir <dir>', 'embedded database directory (default ./.stock-crawler/db)')
    // Optional value: `health --brokers` alone means "check the mirrors only".
    .option('--brokers [list]', 'mirrors, comma-separated base URLs with optional name= (env BROKER_URLS)')
    .option('--config <path>', 'config file, JSON or YAML (env STOCK_CRAWLER_CONFIG)')
    .option('--print-config', 'print the effective configuration (secrets masked) and where each value came from, then exit')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('-q, --quiet', 'warnings and errors only')
    .action((options: Record<string, unknown>, command: Command) => {
      // No command: `--print-config` alone is allowed; anything else gets the usage.
      if (options.printConfig === true) found({ command: 'print-config', args: [], options });
      else command.help();
    });

  program
    .command('fetch')
    .description('fetch one symbol from the mirrors, validate it and store it')
    .argument('<symbol>', 'e.g. 2330, 0050, 00631L')
    .option('--dry-run', 'fetch, parse and validate, but write nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table', 'csv']).default('json'))
    .option('--metrics-file <path>', 'write Prometheus metrics here at the end (textfile collector)')
    .option('--pushgateway <url>', 'push metrics to this Pushgateway at the end')
    .action((symbol: string, _options: unknown, command: Command) => {
      found({ command: 'fetch', args: [symbol], options: command.optsWithGlobals() });
    });

  program
    .command('update')
    .description('the nightly batch: every active symbol (or a list), skipping what is fresh, fetching only new bars')
    .option('--symbols <list>', 'comma-separated symbols instead of every active row of `stocks`')
    .option('--symbols-file <path>', 'symbols, one per line (# comments); - for stdin')
    .option('--shard <I/N>', 'only part I of N (0-based; default from JOB_COMPLETION_INDEX/JOB_COMPLETIONS)')
    .option('--force', 'fetch symbols that are already up to date')
    .option('--full', 'ask for the full history, not just the new bars')
    .option('--dry-run', 'fetch, parse and validate, but write nothing')
    .option('--concurrency <n>', 'requests in flight over all mirrors (default 16)')
    .option('--per-mirror <n>', 'requests in flight per mirror (default 2)')
    .option('--spacing-ms <ms>', 'least time between requests to one mirror (default 200)')
    .option('--wait-lock [seconds]', 'when another update of this shard is running, wait for it (default 900 s) instead of exiting 3')
    .option('--metrics-file <path>', 'write Prometheus metrics here at the end (textfile collector)')
    .option('--pushgateway <url>', 'push metrics to this Pushgateway at the end')
    .action((_options: unknown, command: Command) => {
      found({ command: 'update', args: [], options: command.optsWithGlobals() });
    });

  program
    .command('history')
    .description('print the stored bars of one symbol')
    .argument('<symbol>', 'e.g. 2330')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .option('--limit <n>', 'at most this many rows')
    .addOption(new Option('--order <order>', 'date order').choices(['asc', 'desc']).default('asc'))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'table']).default('json'))
    .action((symbol: string, _options: unknown, command: Command) => {
      found({ command: 'history', args: [symbol], options: command.optsWithGlobals() });
    });

  program
    .command('health')
    .description('check the database and every mirror; exit 0 healthy, 1 degraded, 3 unhealthy')
    .option('--db', 'check the database only')
    .option('--timeout <ms>', 'time limit of each check (default 10000)')
    .action((_options: unknown, command: Command) => {
      found({ command: 'health', args: [], options: command.optsWithGlobals() });
    });

  program
    .command('migrate')
    .description('create or update the database schema (a server database; the embedded one migrates itself)')
    .action((_options: unknown, command: Command) => {
      found({ command: 'migrate', args: [], options: command.optsWithGlobals() });
    });

  return program;
}

async function execute(invocation: Invocation, io: CliIo): Promise<number> {
  let logger: Logger | undefined;
  let config: Config | undefined;
  try {
    if (invocation.options.printConfig === true) return await printConfig(invocation, io);
    config = await configFor(invocation, io);
    // zod and pino load here, not at start-up: `--help` and flag errors stay fast.
    const { createLogger } = await import('../logger.js');
    logger = createLogger({
      level: config.quiet && config.logLevel === 'info' ? 'warn' : config.logLevel,
      pretty: io.stderr.isTTY === true,
      write: (line) => io.stderr.write(line),
    });
    const output = await withStopSignals(io, logger, (signal) => dispatch(invocation, config!, logger!, io, signal));
    if (!output.written) io.stdout.write(output.text ?? `${JSON.stringify(output.document)}\n`);
    return output.exitCode;
  } catch (error) {
    const databaseUrls = [io.env.DATABASE_URL, invocation.options.databaseUrl as string | undefined, config?.databaseUrl];
    return reportFailure(error, io, logger, config?.logLevel === 'debug' || config?.logLevel === 'trace', databaseUrls);
  }
}

/**
 * The first SIGINT/SIGTERM aborts the signal handed to the command, which stops starting
 * work and winds down; a second one ends the process at once.
 */
async function withStopSignals<T>(io: CliIo, logger: Logger, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = (): void => {
      if (controller.signal.aborted) {
        logger.error({ signal: name }, 'second signal: exiting now');
        io.signals?.exitNow(exitCodeForSignal(name));
        return;
      }
      logger.warn({ signal: name }, 'stopping: no new symbols; finishing those in flight');
      controller.abort(name);
    };
    io.signals?.on(name, listener);
    return [name, listener] as const;
  });
  try {
    return await work(controller.signal);
  } finally {
    for (const [name, listener] of listeners) io.signals?.off(name, listener);
  }
}

async function dispatch(invocation: Invocation, config: Config, logger: Logger, io: CliIo, signal: AbortSignal): Promise<CommandOutput> {
  // Each command's modules load only when it runs, so `--help` stays fast.
  if (invocation.command === 'fetch') {
    const { fetchCommand } = await import('./commands/fetch.js');
    return fetchCommand({
      symbol: invocation.args[0] ?? '',
      dryRun: invocation.options.dryRun === true,
      format: invocation.options.format as 'json' | 'table' | 'csv',
      config,
      logger,
    });
  }
  if (invocation.command === 'update') {
    const { updateCommand } = await import('./commands/update.js');
    return updateCommand({
      options: {
        symbols: invocation.options.symbols as string | undefined,
        symbolsFile: invocation.options.symbolsFile as string | undefined,
        force: invocation.options.force === true,
        full: invocation.options.full === true,
        dryRun: invocation.options.dryRun === true,
      },
      config,
      logger,
      stderr: io.stderr,
      readStdin: async () => (io.stdin === undefined ? '' : text(io.stdin)),
      signal,
    });
  }
  if (invocation.command === 'history') {
    const { historyCommand } = await import('./commands/history.js');
    return historyCommand({
      symbol: invocation.args[0] ?? '',
      from: invocation.options.from as string | undefined,
      to: invocation.options.to as string | undefined,
      limit: invocation.options.limit as string | undefined,
      order: invocation.options.order as 'asc' | 'desc',
      format: invocation.options.format as 'json' | 'csv' | 'table',
      config,
      logger,
      write: writerFor(io),
    });
  }
  if (invocation.command === 'health') {
    const { healthCommand } = await import('./commands/health.js');
    const only = invocation.options.db === true ? 'db' : invocation.options.brokers === true ? 'brokers' : undefined;
    return healthCommand({ only, config, logger });
  }
  const { migrateCommand } = await import('./commands/migrate.js');
  return migrateCommand({ config, logger });
}

async function printConfig(invocation: Invocation, io: CliIo): Promise<number> {
  const { describeConfig } = await import('../config/print-config.js');
  io.stdout.write(`${JSON.stringify(describeConfig(await loadedConfigFor(invocation, io)))}\n`);
  return EXIT_CODES.ok;
}

async function configFor(invocation: Invocation, io: CliIo): Promise<Config> {
  return (await loadedConfigFor(invocation, io)).config;
}

async function loadedConfigFor(invocation: Invocation, io: CliIo): Promise<LoadedConfig> {
  const flags: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of CONFIG_FLAG_KEYS) flags[key] = invocation.options[key];
  flags.healthTimeoutMs = invocation.options.timeout;
  flags.waitLockMs = waitLockMs(invocation.options.waitLock);
  // A bare `--brokers` selects the mirrors-only health check; it names no mirror list.
  if (flags.brokers === true) {
    if (invocation.command !== 'health') throw new UsageError('--brokers needs a list of mirror URLs');
    flags.brokers = undefined;
  }
  const { loadConfig } = await import('../config/load-config.js');
  return loadConfig({
    flags,
    flagNames: { healthTimeoutMs: 'timeout', waitLockMs: 'wait-lock' },
    env: io.env,
    configPath: invocation.options.config as string | undefined,
  });
}

/** `--wait-lock` alone waits 15 minutes; `--wait-lock=S` S seconds; what is not a number the schema refuses. */
function waitLockMs(value: unknown): unknown {
  if (value === true) return DEFAULT_WAIT_LOCK_MS;
  if (typeof value !== 'string') return value;
  // Not Number('') alone: that is 0, which would quietly mean "do not wait".
  const seconds = value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN;
}

function reportFailure(error: unknown, io: CliIo, logger: Logger | undefined, verbose: boolean, databaseUrls: Array<string | undefined>): number {
  if (isClosedOutput(error)) return EXIT_CODES.ok;
  const code = error instanceof CrawlerError ? error.code : 'E_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = exitCodeFor(error);
  if (verbose && error instanceof Error) logger?.debug({ err: maskedError(error, databaseUrls) }, 'failure details');
  const hint = exitCode === EXIT_CODES.internal && error instanceof Error && !verbose ? ' (run with --log-level debug for details)' : '';
  printFailure(io, message, code, hint, databaseUrls);
  return exitCode;
}

/** The error as pino would log it (type, code, message, stack with its causes), passwords masked. */
function maskedError(error: Error, databaseUrls: Array<string | undefined>): Record<string, unknown> {
  const mask = (text: string): string => maskPasswordsOf(text, databaseUrls);
  let stack = error.stack ?? error.message;
  for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as Error).cause, depth++) {
    stack += `\ncaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
  }
  return { type: error.name, code: (error as { code?: unknown }).code, message: mask(error.message), stack: mask(stack) };
}

/**
 * The one stderr line and the one stdout document of every failure, bad flags included.
 * Whatever quoted what (a mistyped flag, a driver, a parser), no password gets through.
 */
function printFailure(io: CliIo, message: string, code: string, hint: string, databaseUrls: Array<string | undefined>): void {
  const text = oneLine(maskPasswordsOf(message, databaseUrls));
  io.stderr.write(`stock-crawler: ${text}${hint}\n`);
  io.stdout.write(`${JSON.stringify({ success: false, message: text, error: { code }, source: 'node' })}\n`);
}

/** stdout with backpressure: resolves once the chunk is taken, or after 'drain'. */
function writerFor(io: CliIo): OutputWriter {
  // One chunk at a time, each waited for: backpressure without buffering, and a reader
  // that went away (EPIPE: `… | head`) surfaces here instead of as a crash.
  return (chunk) =>
    new Promise((resolve, reject) => {
      io.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
    });
}

/** The reader of stdout closed it (`… | head`): not a failure of ours. */
function isClosedOutput(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

function commanderExit(error: CommanderError, io: CliIo): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return EXIT_CODES.ok;
  }
  printFailure(io, error.message.replace(/^error: /, ''), 'E_USAGE', ' (run with --help for usage)', [io.env.DATABASE_URL]);
  return EXIT_CODES.usage;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function readVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}
