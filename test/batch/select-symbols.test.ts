import { describe, expect, it } from 'vitest';
import { checkStoredSymbols, parseSymbolArgument, parseSymbolList, readSymbolsFile } from '../../src/batch/select-symbols.js';
import { UsageError } from '../../src/errors.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('E_USAGE');
    const message = (error as UsageError).message;
    expect(message).not.toMatch(/[\r\n]/);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseSymbolList', () => {
  it.each<[string, string, string[]]>([
    ['one per line', '2330\n2317\n', ['2330', '2317']],
    ['CRLF', '2330\r\n2317\r\n', ['2330', '2317']],
    ['old Mac CR', '2330\r2317', ['2330', '2317']],
    ['whole-line and trailing comments', '# universe\n2330 # TSMC\n  #2317\n2454', ['2330', '2454']],
    ['blank lines and spaces', '\n\n  2330  \n\t\n2317\n\n', ['2330', '2317']],
    ['commas on a line', '2330,2317, 2454\n0050', ['2330', '2317', '2454', '0050']],
    ['lower case is upper-cased', '00631l\n', ['00631L']],
    ['duplicates collapse, first order kept', '2317\n2330\n2317\n2330,2454', ['2317', '2330', '2454']],
    ['a leading BOM', '\uFEFF2330\n', ['2330']],
    ['ETFs and letters', '0050\n00878\n00631L\n910322\n1101B', ['0050', '00878', '00631L', '910322', '1101B']],
  ])('%s', (_name, text, expected) => {
    expect(parseSymbolList(text, 'list.txt')).toEqual(expected);
  });

  it('reports every bad line by number in one error', () => {
    const error = usageError(() => parseSymbolList('2330\n23a0\n# fine\n2317 x\n\n12\n', 'list.txt'));
    expect(error.message).toContain('list.txt');
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('line 4');
    expect(error.message).toContain('line 6');
    expect(error.message).toMatch(/\b3 invalid/);
  });

  it('names the first few bad lines and counts the rest, on one short line', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? 'bad!' : '2330')).join('\n');
    const error = usageError(() => parseSymbolList(text, 'big.txt'));
    expect(error.message).toContain('line 1 ');
    expect(error.message).toContain('4995 more');
    expect(error.message).toMatch(/\b5000 invalid/);
    expect(error.message.length).toBeLessThan(400);
  });

  it('keeps hostile input out of the message', () => {
    const error = usageError(() => parseSymbolList(`2330\u0007\u2028${'9'.repeat(5000)}\n`, 'x'));
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).not.toMatch(/[\u0000-\u001f\u2028]/);
  });

  it.each(['', '\n\n', '# only comments\n  # more\n', '\uFEFF'])('refuses an empty list %j', (text) => {
    usageError(() => parseSymbolList(text, 'empty.txt'));
  });
});

describe('parseSymbolArgument', () => {
  it.each<[string, string[]]>([
    ['2330', ['2330']],
    ['2330,2317,2454', ['2330', '2317', '2454']],
    [' 2330 , 2317 ,', ['2330', '2317']],
    ['2330 2317', ['2330', '2317']],
    ['2330,2330,00631l', ['2330', '00631L']],
  ])('%j', (csv, expected) => {
    expect(parseSymbolArgument(csv)).toEqual(expected);
  });

  it('names bad items by position', () => {
    const error = usageError(() => parseSymbolArgument('2330,abc,2317,1'));
    expect(error.message).toContain('--symbols');
    expect(error.message).toContain('item 2');
    expect(error.message).toContain('item 4');
  });

  it.each(['', ',', ' , , '])('refuses %j', (csv) => {
    usageError(() => parseSymbolArgument(csv));
  });
});

describe('readSymbolsFile', () => {
  const readers = (files: Record<string, string>, stdin = '') => ({
    readFile: async (path: string) => {
      const text = files[path];
      if (text !== undefined) return text;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
    readStdin: async () => stdin,
  });

  it('reads a file', async () => {
    await expect(readSymbolsFile('u.txt', readers({ 'u.txt': '2330\n2317\n' }))).resolves.toEqual(['2330', '2317']);
  });

  it('reads standard input for -', async () => {
    await expect(readSymbolsFile('-', readers({}, '0050\r\n'))).resolves.toEqual(['0050']);
  });

  it('turns an unreadable file into a UsageError naming the path and errno code', async () => {
    const error = await readSymbolsFile('missing.txt', readers({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('E_USAGE');
    expect((error as UsageError).message).toContain('missing.txt');
    expect((error as UsageError).message).toContain('ENOENT');
  });

  it('reports bad lines with the path', async () => {
    const error = await readSymbolsFile('u.txt', readers({ 'u.txt': '2330\nnope\n' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain('u.txt');
    expect((error as UsageError).message).toContain('line 2');
  });
});

describe('checkStoredSymbols', () => {
  it('keeps valid codes (normalised, once) and sets hostile ones aside, printable', () => {
    const result = checkStoredSymbols(['2330', '00631l', "2330' OR '1'='1", '../etc', '2330', 'x\r\nX-Evil: 1', '0050']);
    expect(result.valid).toEqual(['2330', '00631L', '0050']);
    expect(result.invalid).toEqual(["2330' OR '1'='1", '../etc', 'x??X-Evil: 1']);
  });
});
