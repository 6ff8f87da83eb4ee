import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import type { LoadedConfig } from '../config/load-config.js';
import { OPTIONS, type OptionDeclaration, type OptionKey, type SettingKey } from '../config/options.js';
import type { Config } from '../config/schema.js';
import { EXIT_CODES, UsageError } from '../errors.js';
import type { CliStreams, CommandContext } from './command-context.js';
import type { CommandOutput, OutputWriter } from './command-output.js';
import { printFailure, reportFailure } from './failure.js';
import { buildProgram, type Invocation } from './program.js';
import { withStopSignals, type SignalSource } from './stop-signals.js';
import type { Terminal } from './terminal/terminal.js';

export type { SignalSource, StopSignal } from './stop-signals.js';

/** The streams, environment and signals the CLI runs against; the process's own in production. */
export interface CliIo extends CliStreams {
  env: Readonly<Record<string, string | undefined>>;
  signals?: SignalSource;
}

type CommandHandler = (context: CommandContext) => Promise<CommandOutput>;

/** Each command's module loads only when it runs, so `--help` stays fast. */
const HANDLERS: Record<Exclude<Invocation['command'], 'print-config'>, () => Promise<CommandHandler>> = {
  fetch: async () => (await import('./commands/fetch.js')).fetchCommand,
  update: async () => (await import('./commands/update.js')).updateCommand,
  history: async () => (await import('./commands/history.js')).historyCommand,
  health: async () => (await import('./commands/health.js')).healthCommand,
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand,
  sync: async () => (await import('./commands/sync.js')).syncCommand,
  symbols: async () => (await import('./commands/symbols.js')).symbolsCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
};

/**
 * Parses argv, runs one command and writes its single JSON document (or table/CSV) to
 * stdout; logs and errors go to stderr. Returns the exit code; never calls process.exit.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation | undefined;
  const program = buildProgram(readVersion(), { writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) }, (found) => {
    invocation = found;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, io);
    throw error;
  }
  if (invocation === undefined) return EXIT_CODES.ok;
  return execute(invocation, io);
}

async function execute(invocation: Invocation, io: CliIo): Promise<number> {
  let terminal: Terminal | undefined;
  let config: Config | undefined;
  try {
    const loaded = await loadedConfigFor(invocation, io);
    if (invocation.command === 'print-config' || invocation.values.printConfig === true) return await printConfig(loaded, io);
    config = loaded.config;
    const settings = config;
    // pino and the progress bar load here, not at start-up: `--help` and flag errors stay fast.
    const { createTerminal } = await import('./terminal/terminal.js');
    terminal = createTerminal({
      stream: io.stderr,
      tty: io.stderr.isTTY === true,
      quiet: settings.quiet,
      level: settings.quiet && settings.logLevel === 'info' ? 'warn' : settings.logLevel,
      progressIntervalMs: settings.progressIntervalMs,
      foldIntervalMs: settings.foldIntervalMs,
    });
    const shown = terminal;
    const handler = await HANDLERS[invocation.command]();
    const output = await withStopSignals(io.signals, shown.logger, (signal) =>
      handler({ args: invocation.args, values: invocation.values, config: settings, logger: shown.logger, streams: io, write: writerFor(io), signal, terminal: shown }),
    );
    shown.close();
    if (!output.written) io.stdout.write(output.text ?? `${JSON.stringify(output.document)}\n`);
    return output.exitCode;
  } catch (error) {
    terminal?.close();
    const databaseUrls = [io.env.DATABASE_URL, invocation.values.databaseUrl as string | undefined, invocation.values.against as string | undefined, config?.databaseUrl];
    const verbose = config?.logLevel === 'debug' || config?.logLevel === 'trace';
    return reportFailure(error, io, { logger: terminal?.logger, verbose, databaseUrls });
  }
}

async function printConfig(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const { describeConfig } = await import('../config/print-config.js');
  io.stdout.write(`${JSON.stringify(describeConfig(loaded))}\n`);
  return EXIT_CODES.ok;
}

/** The settings given as flags, in the settings' own units, layered over file, environment and defaults. */
async function loadedConfigFor(invocation: Invocation, io: CliIo): Promise<LoadedConfig> {
  const flags: Partial<Record<SettingKey, unknown>> = {};
  for (const [key, value] of Object.entries(invocation.values) as Array<[OptionKey, unknown]>) {
    const declaration = OPTIONS[key] as OptionDeclaration;
    if (declaration.setting !== true) continue;
    flags[key as SettingKey] = declaration.fromFlag === undefined ? value : declaration.fromFlag(value as string | boolean);
  }
  // A bare `--brokers` selects the mirrors-only health check; it names no mirror list.
  if (flags.brokers === true) {
    if (invocation.command !== 'health') throw new UsageError('--brokers needs a list of mirror URLs');
    flags.brokers = undefined;
  }
  const { loadConfig } = await import('../config/load-config.js');
  return loadConfig({ flags, env: io.env, configPath: invocation.values.config as string | undefined });
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

function commanderExit(error: CommanderError, io: CliIo): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return EXIT_CODES.ok;
  }
  printFailure(io, error.message.replace(/^error: /, ''), 'E_USAGE', ' (run with --help for usage)', [io.env.DATABASE_URL]);
  return EXIT_CODES.usage;
}

function readVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}
