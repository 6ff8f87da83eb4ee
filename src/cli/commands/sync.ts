import { runSyncCommand } from '../../batch/reference-run.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';

/**
 * `stock-crawler sync [--symbols-only | --calendar-only] [--dry-run] [--allow-mass-delist]`:
 * the symbol universe and the trading calendar from the exchange's pages. Exit 0 every
 * source used, 1 some refused (the others applied), 3 none usable.
 */
export async function syncCommand(context: CommandContext): Promise<CommandOutput> {
  const flags = {
    symbolsOnly: argumentOf(context, 'symbolsOnly') === true,
    calendarOnly: argumentOf(context, 'calendarOnly') === true,
    dryRun: argumentOf(context, 'dryRun') === true,
    allowMassDelist: argumentOf(context, 'allowMassDelist') === true,
  };
  const { document, exitCode } = await runSyncCommand(flags, { config: context.config, logger: context.logger, signal: context.signal });
  return { document, exitCode };
}
