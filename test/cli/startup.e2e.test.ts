import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/run-cli.js';

/*
 * `--help`, `--version` and usage errors stay fast because they load only commander and
 * the command declarations; the database driver, HTTP client, worker pool, logger and
 * schema validator load when a command runs. A module resolve hook, loaded into the
 * built CLI through NODE_OPTIONS, records every file the process imports; the bundle's
 * files name the modules they hold in their source maps, and packages left outside the
 * bundle load from node_modules by URL.
 */

const dir = mkdtempSync(join(tmpdir(), 'stock-crawler-startup-'));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  appendFileSync(process.env.LOADED_LOG, found.url + '\\n');
  return found;
}
`,
);
const hooks = pathToFileURL(join(dir, 'hooks.mjs')).href;
writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(hooks)});\n`);
const register = pathToFileURL(join(dir, 'register.mjs')).href;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = ['kysely', 'pg', 'undici', 'piscina', 'pino', 'zod', 'prom-client', 'yaml', '@electric-sql/pglite', 'cli-progress'];

let runs = 0;

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)\//;

/**
 * Runs the built CLI and returns what it printed, the packages it loaded (bundled or not)
 * and the project modules it loaded (`dist/…` paths).
 */
async function runRecorded(args: string[]): Promise<CliRun & { sources: string[]; packages: Set<string> }> {
  const log = join(dir, `loaded-${runs++}.txt`);
  writeFileSync(log, '');
  const run = await runCli(args, { env: { NODE_OPTIONS: `--import ${register}`, LOADED_LOG: log } });
  const urls = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
  const bundled = urls.filter((url) => url.includes('/dist/bundle/')).flatMap((url) => moduleSources(fileURLToPath(url)));
  const external = urls.filter((url) => url.includes('/node_modules/')).map((url) => new URL(url).pathname);
  const packages = new Set([...bundled, ...external].flatMap((path) => PACKAGE.exec(path)?.[1] ?? []));
  return { ...run, sources: bundled.filter((path) => path.startsWith('dist/')), packages };
}

/**
 * The modules an esbuild output file holds, from its source map (the bundle is minified,
 * so no comment names them): `node_modules/…` paths, and project modules as their `dist/…` file.
 */
function moduleSources(file: string): string[] {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((source) => source.replace(/^(?:\.\.\/)+/, '').replace(/^src\/(.*)\.ts$/, 'dist/$1.js'));
}

describe('start-up', () => {
  it.each(['--help', '--version', 'update --help', 'fetch --help', 'history --help', 'health --help', 'migrate --help'])(
    '`%s` loads commander and the command declarations, nothing heavier',
    async (line) => {
      const run = await runRecorded(line.split(' '));
      expect(run.code).toBe(0);
      expect(run.stdout).not.toBe('');
      expect([...run.packages]).toEqual(['commander']);
      expect(run.sources.filter((path) => /^dist\/(cli\/commands|cli\/terminal|config\/(?!option)|db\/open|mirrors|parse|batch|logger)/.test(path))).toEqual([]);
    },
  );

  it('a usage error loads nothing heavier either', async () => {
    const run = await runRecorded(['update', '--no-such-flag']);
    expect(run.code).toBe(2);
    expect([...run.packages]).toEqual(['commander']);
  });

  it('sees the modules a command loads when it runs (the probe itself works)', async () => {
    const run = await runRecorded(['--print-config']);
    expect(run.code).toBe(0);
    expect(run.packages.has('zod')).toBe(true);
    expect(HEAVY.some((name) => run.packages.has(name))).toBe(true);
    expect(run.sources).toContain('dist/config/load-config.js');
  });
});
