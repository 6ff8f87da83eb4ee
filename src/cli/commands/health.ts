import { runHealth } from '../../health/run-health.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';

/** `stock-crawler health`: the database and every mirror; `--db` or a bare `--brokers` checks one side. */
export async function healthCommand(context: CommandContext): Promise<CommandOutput> {
  const only = argumentOf(context, 'db') === true ? 'db' : context.values.brokers === true ? 'brokers' : undefined;
  return runHealth(only, context.config, context.logger);
}
