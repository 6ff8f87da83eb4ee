import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parseSymbolArgument, readSymbolsFile } from '../batch/select-symbols.js';
import { UsageError } from '../errors.js';
import { argumentOf, type CommandContext } from './command-context.js';

/**
 * The symbols given with `--symbols` or `--symbols-file` (`-`: standard input), checked;
 * undefined when neither was given.
 * @throws UsageError for both at once, an unreadable file or a bad symbol.
 */
export async function givenSymbols(context: CommandContext): Promise<string[] | undefined> {
  const list = argumentOf(context, 'symbols');
  const file = argumentOf(context, 'symbolsFile');
  if (list !== undefined && file !== undefined) throw new UsageError('give --symbols or --symbols-file, not both');
  if (list !== undefined) return parseSymbolArgument(list);
  if (file === undefined) return undefined;
  const { stdin } = context.streams;
  return readSymbolsFile(file, {
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: async () => (stdin === undefined ? '' : text(stdin)),
  });
}
