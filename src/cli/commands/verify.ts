import { verifyData } from '../../batch/verify-data.js';
import { EXIT_CODES, exitCodeForSignal, UsageError } from '../../errors.js';
import type { VerifySelection } from '../../verify/verify-run.js';
import { argumentOf, type CommandContext } from '../command-context.js';
import type { CommandOutput } from '../command-output.js';
import { parseDay } from '../history-request.js';
import { givenSymbols } from '../symbol-arguments.js';
import { verifyTable } from '../verify-table.js';

/**
 * `stock-crawler verify`: completeness of the stored bars, their agreement with two mirrors
 * (a sample, `--all`, or `--symbols`), and with another database (`--against`). Exit 0
 * when every check passes, 1 when one fails; read-only unless `--repair`.
 */
export async function verifyCommand(context: CommandContext): Promise<CommandOutput> {
  const format = argumentOf(context, 'format');
  if (format === 'csv') throw new UsageError('verify prints json or table, not csv');
  const { document, exitCode } = await verifyData(
    {
      selection: await selection(context),
      bars: argumentOf(context, 'bars'),
      sample: argumentOf(context, 'sample'),
      minAgreement: argumentOf(context, 'minAgreement'),
      repair: argumentOf(context, 'repair') === true,
      against: againstOf(context),
    },
    { config: context.config, logger: context.logger, signal: context.signal },
  );
  const code = document.interrupted ? exitCodeForSignal(context.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM') : exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
  return format === 'table' ? { document, exitCode: code, text: verifyTable(document) } : { document, exitCode: code };
}

async function selection(context: CommandContext): Promise<VerifySelection> {
  const symbols = await givenSymbols(context);
  if (symbols !== undefined && argumentOf(context, 'all') === true) throw new UsageError('give --all or a list of symbols, not both');
  if (symbols !== undefined) return { kind: 'list', symbols };
  return argumentOf(context, 'all') === true ? { kind: 'all' } : { kind: 'sample' };
}

function againstOf(context: CommandContext): { url: string; from?: string; to?: string } | undefined {
  const from = argumentOf(context, 'from');
  const to = argumentOf(context, 'to');
  const url = argumentOf(context, 'against');
  if (url === undefined) {
    if (from !== undefined || to !== undefined) throw new UsageError('--from and --to bound the comparison with --against; give --against too');
    return undefined;
  }
  const range = { from: from === undefined ? undefined : parseDay(from, '--from'), to: to === undefined ? undefined : parseDay(to, '--to') };
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) throw new UsageError(`--from ${range.from} is after --to ${range.to}`);
  return { url, ...range };
}
