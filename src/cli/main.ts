import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CrawlerError, EXIT_CODES, exitCodeFor } from '../errors.js';
import type { Config, ConfigKey } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { CommandOutput } from './command-output.js';

/** The streams and environment the CLI runs against; the process's own in production. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

interface Invocation {
  command: 'fetch' | 'migrate';
  args: string[];
  options: Record<string, unknown>;
}

const GLOBAL_FLAG_KEYS: ReadonlyArray<ConfigKey> = ['databaseUrl', 'dataDir', 'brokers', 'logLevel', 'quiet'];

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
    if (error instanceof CommanderError) return commanderExit(error);
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
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); default: embedded database')
    .option('--data-dir <dir>', 'embedded database directory (default ./.stock-crawler/db)')
    .option('--brokers <list>', 'mirrors, comma-separated base URLs with optional name= (env BROKER_URLS)')
    .option('--config <path>', 'JSON config file (env STOCK_CRAWLER_CONFIG)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('-q, --quiet', 'warnings and errors only');

  program
    .command('fetch')
    .description('fetch one symbol from the mirrors, validate it and store it')
    .argument('<symbol>', 'e.g. 2330, 0050, 00631L')
    .option('--dry-run', 'fetch, parse and validate, but write nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table', 'csv']).default('json'))
    .action((symbol: string, _options: unknown, command: Command) => {
      found({ command: 'fetch', args: [symbol], options: command.optsWithGlobals() });
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
    config = await configFor(invocation, io);
    // zod and pino load here, not at start-up: `--help` and flag errors stay fast.
    const { createLogger } = await import('../logger.js');
    logger = createLogger({
      level: config.quiet && config.logLevel === 'info' ? 'warn' : config.logLevel,
      pretty: io.stderr.isTTY === true,
      write: (line) => io.stderr.write(line),
    });
    const output = await dispatch(invocation, config, logger);
    io.stdout.write(output.text ?? `${JSON.stringify(output.document)}\n`);
    return output.exitCode;
  } catch (error) {
    return reportFailure(error, io, logger, config?.logLevel === 'debug' || config?.logLevel === 'trace');
  }
}

async function dispatch(invocation: Invocation, config: Config, logger: Logger): Promise<CommandOutput> {
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
  const { migrateCommand } = await import('./commands/migrate.js');
  return migrateCommand({ config, logger });
}

async function configFor(invocation: Invocation, io: CliIo): Promise<Config> {
  const flags: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of GLOBAL_FLAG_KEYS) flags[key] = invocation.options[key];
  const { loadConfig } = await import('../config/load-config.js');
  const { config } = await loadConfig({ flags, env: io.env, configPath: invocation.options.config as string | undefined });
  return config;
}

function reportFailure(error: unknown, io: CliIo, logger: Logger | undefined, verbose: boolean): number {
  const code = error instanceof CrawlerError ? error.code : 'E_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = exitCodeFor(error);
  if (verbose && error instanceof Error) logger?.debug({ err: error }, 'failure details');
  io.stderr.write(`stock-crawler: ${oneLine(message)}${exitCode === EXIT_CODES.internal && error instanceof Error && !verbose ? ' (run with --log-level debug for details)' : ''}\n`);
  io.stdout.write(`${JSON.stringify({ success: false, message: oneLine(message), error: { code }, source: 'node' })}\n`);
  return exitCode;
}

function commanderExit(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return EXIT_CODES.ok;
  }
  return EXIT_CODES.usage;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function readVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}
