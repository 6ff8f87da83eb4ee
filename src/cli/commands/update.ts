import { runUpdate } from '../../batch/update-run.js';
import { buildLegacyBatchDocument } from '../../documents/legacy-batch-document.js';
import { buildLegacyBatchResult } from '../../documents/legacy-batch-result.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';
import { givenSymbols } from '../symbol-arguments.js';

/**
 * `stock-crawler update`: reads which symbols (a list, a file, or none: every active row of
 * `stocks`), runs the nightly batch, and prints its summary.
 */
export async function updateCommand(context: CommandContext): Promise<CommandOutput> {
  // Bad input stops the run before any connection is opened.
  const symbols = await givenSymbols(context);
  const shape = argumentOf(context, 'shape');
  const { summary, legacy, exitCode } = await runUpdate(
    {
      symbols,
      force: argumentOf(context, 'force') === true,
      full: argumentOf(context, 'full') === true,
      dryRun: argumentOf(context, 'dryRun') === true,
      detailed: argumentOf(context, 'detailed') === true,
      noSync: argumentOf(context, 'noSync') === true,
    },
    { config: context.config, logger: context.logger, progress: (total) => context.terminal.progress(total), signal: context.signal },
  );
  context.terminal.recap(summary);
  if (shape === 'default') return { document: summary, exitCode };
  const { success, message } = summary;
  return { document: buildLegacyBatchDocument({ success, message, result: buildLegacyBatchResult(legacy) }), exitCode };
}
