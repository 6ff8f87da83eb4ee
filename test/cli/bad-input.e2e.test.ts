import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../support/fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { runCli, singleJson, type CliRun } from '../support/run-cli.js';
import { runInProcess } from '../support/run-in-process.js';

/*
 * Bad input, for every command: exit 2, one `stock-crawler: …` line on stderr naming what
 * was wrong, one JSON error document on stdout, no stack trace, and nothing touched — no
 * request reaches the mirror, the embedded database is never created. Every case runs in
 * process through the CLI's run(); a sample of each command's runs through the built binary.
 */

const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));
const COMMANDS = {
  fetch: ['fetch', '2330'],
  update: ['update', '--symbols', '2330'],
  history: ['history', '2330'],
  health: ['health'],
  migrate: ['migrate'],
} as const;
type CommandName = keyof typeof COMMANDS;
const USAGE_CODES = ['E_USAGE', 'E_CONFIG', 'E_SYMBOL'];

let mirror: LoopbackMirror;
let root: string;
/** Where the embedded database would go: it must never appear. */
let dataDir: string;
const files = { badLine: '', unknownKey: '', blankNumber: '', malformed: '', directory: '' };

beforeAll(async () => {
  mirror = await startLoopbackMirror([
    http.get('*/z/BCD/czkc1.djbcd', () => new HttpResponse(readFixture('gregorian-6-sections.djbcd'))),
  ]);
  root = await mkdtemp(join(tmpdir(), 'sc-bad-input-'));
  dataDir = join(root, 'db');
  files.badLine = join(root, 'symbols.txt');
  await writeFile(files.badLine, '# watch list\n2330\n2317\n23X0\n0050\n');
  files.unknownKey = join(root, 'unknown-key.json');
  await writeFile(files.unknownKey, JSON.stringify({ barCont: 100 }));
  files.blankNumber = join(root, 'blank-number.yaml');
  await writeFile(files.blankNumber, 'spacingMs: ""\n');
  files.malformed = join(root, 'malformed.json');
  await writeFile(files.malformed, '{ "spacingMs": 5,, }');
  files.directory = join(root, 'a-directory');
  await mkdir(files.directory);
});

afterAll(async () => {
  await mirror?.close();
  await rm(root, { recursive: true, force: true });
});

const baseEnv = (): Record<string, string> => ({ BROKER_URLS: `local=${mirror.url}`, STOCK_CRAWLER_DATA_DIR: dataDir });

/** The contract of a refused invocation, and that it named `names` (flag, key or value). */
function expectRefused(run: CliRun, names: readonly string[]): void {
  expect(run.code, run.stderr).toBe(2);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^stock-crawler: /);
  for (const name of names) expect(lines[0]).toContain(name);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  const document = singleJson(run.stdout) as { success: boolean; message: string; error: { code: string } };
  expect(document.success).toBe(false);
  expect(USAGE_CODES).toContain(document.error.code);
  expect(lines[0]).toContain(document.message);
}

interface Case {
  what: string;
  /** Arguments after the command's own; `{}` in them stands for nothing. */
  args?: readonly string[];
  env?: Record<string, string>;
  /** What the one stderr line must mention. */
  names: readonly string[];
}

/** Bad input every command refuses alike: flags, the environment and config files. */
const COMMON: readonly Case[] = [
  { what: 'an unknown flag', args: ['--no-such-flag'], names: ['--no-such-flag'] },
  { what: 'an unknown flag with a value', args: ['--concurency=4'], names: ['--concurency'] },
  { what: 'a bad log level', args: ['--log-level', 'loud'], names: ['--log-level', 'loud'] },
  { what: 'a word for a number (env)', env: { STOCK_CRAWLER_MAX_ATTEMPTS: 'many' }, names: ['maxAttempts', 'STOCK_CRAWLER_MAX_ATTEMPTS', '"many"'] },
  { what: 'a fraction for an integer (env)', env: { STOCK_CRAWLER_BAR_COUNT: '1.5' }, names: ['barCount', '1.5'] },
  { what: 'hex for a number (env)', env: { STOCK_CRAWLER_CONCURRENCY: '0x10' }, names: ['concurrency', '0x10'] },
  { what: 'a number out of range (env)', env: { STOCK_CRAWLER_CONNECT_TIMEOUT_MS: '5' }, names: ['connectTimeoutMs', '5'] },
  { what: 'an infinite number (env)', env: { STOCK_CRAWLER_SPACING_MS: '1e999' }, names: ['spacingMs'] },
  { what: 'an empty number in a config file', args: ['--config', '{blankNumber}'], names: ['spacingMs', 'blank-number.yaml'] },
  { what: 'a bad time of day', env: { STOCK_CRAWLER_READY_AT: '25:00' }, names: ['readyAt', '25:00'] },
  { what: 'an unknown time zone', env: { STOCK_CRAWLER_TIME_ZONE: 'Asia/Taichung' }, names: ['timeZone', 'Asia/Taichung'] },
  { what: 'a shard past its count (env)', env: { STOCK_CRAWLER_SHARD: '3/2' }, names: ['shard', '3/2'] },
  { what: 'a shard of an Indexed Job past its count', env: { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '2' }, names: ['shard', 'JOB_COMPLETION_INDEX', '3/2'] },
  { what: 'an Indexed Job index without the count', env: { JOB_COMPLETION_INDEX: '1' }, names: ['JOB_COMPLETIONS'] },
  { what: 'a mirror that is no http URL', env: { BROKER_URLS: 'ftp://mirror.example/' }, names: ['brokers', 'BROKER_URLS', 'ftp://mirror.example/'] },
  { what: 'a database URL that is none', env: { DATABASE_URL: 'mysql://db.example/stocks' }, names: ['databaseUrl', 'DATABASE_URL'] },
  { what: 'an unknown key in a config file', args: ['--config', '{unknownKey}'], names: ['barCont', 'barCount'] },
  { what: 'a malformed config file', args: ['--config', '{malformed}'], names: ['malformed.json', 'line 1'] },
  { what: 'a missing config file', args: ['--config', '/nonexistent/crawler.yaml'], names: ['/nonexistent/crawler.yaml', 'ENOENT'] },
];

/** Each command's own arguments and flags. */
const OWN: Record<CommandName, readonly Case[]> = {
  fetch: [
    { what: 'a bad symbol', args: ['23X0'], names: ['23X0'] },
    { what: 'no symbol', args: [], names: ['symbol'] },
    { what: 'two symbols', args: ['2330', '2317'], names: ['too many arguments'] },
    { what: 'a bad format', args: ['2330', '--format', 'xml'], names: ['--format', 'xml'] },
  ],
  update: [
    { what: 'a symbols file with one bad line', args: ['--symbols-file', '{badLine}'], names: ['line 4', '23X0'] },
    { what: '--shard 3/2', args: ['--symbols', '2330', '--shard', '3/2'], names: ['--shard', '3/2'] },
    { what: 'a word for --concurrency', args: ['--symbols', '2330', '--concurrency', 'lots'], names: ['--concurrency', 'lots'] },
    { what: 'an empty --spacing-ms', args: ['--symbols', '2330', '--spacing-ms', ''], names: ['--spacing-ms'] },
    { what: '--per-mirror 0', args: ['--symbols', '2330', '--per-mirror', '0'], names: ['--per-mirror', '0'] },
    { what: 'a bad --wait-lock', args: ['--symbols', '2330', '--wait-lock', 'soon'], names: ['--wait-lock'] },
    { what: 'a shard that is no I/N', args: ['--symbols', '2330', '--shard', 'half'], names: ['--shard', 'half'] },
    { what: 'a missing symbols file', args: ['--symbols-file', '{dir}/none.txt'], names: ['--symbols-file', 'none.txt', 'ENOENT'] },
    { what: 'a directory as symbols file', args: ['--symbols-file', '{directory}'], names: ['--symbols-file', 'EISDIR'] },
    { what: 'a symbol list with one bad item', args: ['--symbols', '2330,2317,23X0'], names: ['--symbols', 'item 3', '23X0'] },
    { what: 'an empty symbol list', args: ['--symbols', ','], names: ['--symbols', 'no symbols'] },
    { what: 'both --symbols and --symbols-file', args: ['--symbols', '2330', '--symbols-file', '{badLine}'], names: ['--symbols', '--symbols-file'] },
  ],
  history: [
    { what: 'a bad symbol', args: ['23X0'], names: ['23X0'] },
    { what: 'a day that does not exist', args: ['2330', '--from', '2024-02-30'], names: ['--from', '2024-02-30'] },
    { what: 'a compact date', args: ['2330', '--to', '20240131'], names: ['--to', '20240131'] },
    { what: 'a range backwards', args: ['2330', '--from', '2024-05-01', '--to', '2024-04-01'], names: ['--from', '--to'] },
    { what: '--limit 0', args: ['2330', '--limit', '0'], names: ['--limit', '0'] },
    { what: 'an exponent for --limit', args: ['2330', '--limit', '1e3'], names: ['--limit', '1e3'] },
    { what: 'a bad order', args: ['2330', '--order', 'sideways'], names: ['--order', 'sideways'] },
  ],
  health: [
    { what: 'a word for --timeout', args: ['--timeout', 'soon'], names: ['--timeout', 'soon'] },
    { what: 'a --timeout out of range', args: ['--timeout', '5'], names: ['--timeout', '5'] },
    { what: 'a mirror with credentials', args: ['--brokers', 'http://u:pw@mirror.example/'], names: ['--brokers', 'credentials'] },
  ],
  migrate: [
    { what: 'an argument', args: ['now'], names: ['too many arguments'] },
    { what: 'a --database-url that is no URL', args: ['--database-url', 'not a url'], names: ['--database-url'] },
  ],
};

function expand(args: readonly string[]): string[] {
  return args.map((arg) =>
    arg
      .replace('{dir}', root)
      .replace(/^\{(\w+)\}$/, (whole, name: string) => (name in files ? files[name as keyof typeof files] : whole)),
  );
}

/** The command line of a case: its own arguments replace the command's defaults for fetch/history. */
function argvFor(command: CommandName, testCase: Case, common: boolean): string[] {
  const base = COMMANDS[command];
  const own = expand(testCase.args ?? []);
  if (common) return [...base, ...own];
  // A command's own cases spell out its arguments in full.
  return [base[0], ...own];
}

/** Every case for every command, in process. */
describe.each(Object.keys(COMMANDS) as CommandName[])('%s refuses bad input', (command) => {
  it.each(COMMON.map((c) => [c.what, c] as const))('common: %s', async (_what, testCase) => {
    const run = await runInProcess(argvFor(command, testCase, true), { env: { ...baseEnv(), ...testCase.env } });
    expectRefused(run, testCase.names);
  });

  it.each(OWN[command].map((c) => [c.what, c] as const))('own: %s', async (_what, testCase) => {
    const run = await runInProcess(argvFor(command, testCase, false), { env: { ...baseEnv(), ...testCase.env } });
    expectRefused(run, testCase.names);
  });
});

/** The built binary as cron and the backend run it: a few cases of each kind, for each command. */
const BUILT_COMMON = ['an unknown flag', 'a shard past its count (env)', 'an empty number in a config file'];

describe.each(Object.keys(COMMANDS) as CommandName[])('the built CLI: %s refuses bad input', (command) => {
  const cases = [
    ...COMMON.filter((c) => BUILT_COMMON.includes(c.what)).map((c) => [`common: ${c.what}`, c, true] as const),
    ...OWN[command].slice(0, 2).map((c) => [`own: ${c.what}`, c, false] as const),
  ];
  it.concurrent.each(cases)('%s', async (_what, testCase, common) => {
    const run = await runCli(argvFor(command, testCase, common), { env: { ...baseEnv(), ...testCase.env } });
    expectRefused(run, testCase.names);
  });
});

/** Runs the built CLI with `input` on stdin (for `--symbols-file -`). */
async function runWithStdin(args: readonly string[], input: string, env: Record<string, string>): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => undefined).end(input);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  return { code, signal, stdout, stderr };
}

describe('bad input on stdin and the stack-trace switch', () => {
  it('refuses a symbol list on stdin with one bad line, naming the line', async () => {
    const run = await runWithStdin(['update', '--symbols-file', '-'], '2330\n2317 # Hon Hai\n\n00X50\n', baseEnv());
    expectRefused(run, ['standard input', 'line 4', '00X50']);
  });

  it('refuses an empty stdin', async () => {
    const run = await runWithStdin(['update', '--symbols-file', '-'], '# nothing yet\n', baseEnv());
    expectRefused(run, ['standard input', 'no symbols']);
  });

  it('shows the stack only with --log-level debug', async () => {
    const quiet = await runCli(['fetch', '23X0'], { env: baseEnv() });
    expectRefused(quiet, ['23X0']);
    expect(quiet.stderr).not.toContain('SymbolError');

    const debug = await runCli(['fetch', '23X0', '--log-level', 'debug'], { env: baseEnv() });
    expect(debug.code).toBe(2);
    const records = debug.stderr.split('\n').filter((line) => line.startsWith('{'));
    const details = records.map((line) => JSON.parse(line) as { msg: string; err?: { stack?: string } }).find((r) => r.msg === 'failure details');
    expect(details?.err?.stack).toMatch(/SymbolError[^\n]*\n\s+at /);
    expect(debug.stderr).toMatch(/^stock-crawler: invalid symbol "23X0"/m);
  });
});

describe('after all of it', () => {
  it('no request reached the mirror and no embedded database was created', () => {
    expect(mirror.requests).toHaveLength(0);
    expect(existsSync(dataDir)).toBe(false);
  });
});
