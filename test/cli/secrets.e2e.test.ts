import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { runInProcess } from '../support/run-in-process.js';

/*
 * The database password never shows: not on stdout (documents, --print-config), not on
 * stderr (logs at debug, error lines), not in crawl_runs.arguments or .summary, not in the
 * metrics file — for every command, succeeding or failing. The server trusts local
 * connections, so a URL carrying a password still connects and the successful paths run too.
 */
const PASSWORDS = {
  plain: 'S3ntinel-pw-7f3a',
  // Needs percent-encoding in a URL: its raw and its encoded forms must both stay hidden.
  special: 'S3ntinel/pw@7f3a:x%',
};
/** Pieces of either password: any of them in the output is a leak, whole or in part. */
const FRAGMENTS = ['S3nt', 's3nt', '7f3a', '%2Fpw'];

const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.username ||= 'postgres';
  parsed.password = password; // the setter percent-encodes what needs it
  return parsed.toString();
}

function expectNoSecret(where: string, text: string): void {
  for (const fragment of FRAGMENTS) {
    const at = text.indexOf(fragment);
    if (at !== -1) expect.fail(`${where} holds "${fragment}": …${text.slice(Math.max(0, at - 80), at + 40)}…`);
  }
}

function expectClean(label: string, run: CliRun): void {
  expectNoSecret(`${label}: stdout`, run.stdout);
  expectNoSecret(`${label}: stderr`, run.stderr);
}

// Needs a PostgreSQL server (TEST_DATABASE_URL); the global setup says so loudly when it is missing.
const serverDescribe = TEST_DATABASE_URL ? describe : describe.skip;

serverDescribe('the database password never appears', () => {
  let migrated: { url: string; drop(): Promise<void> };
  let unmigrated: { url: string; drop(): Promise<void> };
  let farm: MirrorFarm;
  let dir: string;

  beforeAll(async () => {
    [migrated, unmigrated, farm, dir] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
      startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: LAST_SESSION }),
      mkdtemp(join(tmpdir(), 'sc-secrets-')),
    ]);
  });
  afterAll(async () => {
    await farm?.close();
    await migrated?.drop();
    await unmigrated?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const debug = ['--log-level', 'debug'];

  for (const [kind, password] of Object.entries(PASSWORDS)) {
    describe(`a ${kind} password`, () => {
      const url = (): string => withPassword(migrated.url, password);
      const env = (): Record<string, string> => ({ DATABASE_URL: url(), BROKER_URLS: farm.brokers, STOCK_CRAWLER_SPACING_MS: '0' });

      it('migrate, fetch, update, history and health succeed at debug level without showing it', async () => {
        const metricsFile = join(dir, `${kind}.prom`);
        const migrate = await runCli(['migrate', ...debug], { env: env() });
        expect(migrate.code, migrate.stderr).toBe(0);
        expectClean('migrate', migrate);

        const fetch = await runCli(['fetch', '2330', ...debug, '--metrics-file', metricsFile], { env: env() });
        expect(fetch.code, fetch.stderr).toBe(0);
        expectClean('fetch', fetch);

        const update = await runCli(['update', '--symbols', '2330,2317,0050', '--force', ...debug, '--metrics-file', metricsFile], { env: env() });
        expect(update.code, update.stderr).toBe(0);
        expectClean('update', update);
        expectNoSecret('metrics file', await readFile(metricsFile, 'utf8'));

        for (const args of [['history', '2330'], ['health']]) {
          const run = await runCli([...args, ...debug], { env: env() });
          expect(run.code, run.stderr).toBe(0);
          expectClean(args[0]!, run);
        }
        // Debug logging did run: the checks above read real logs, not silence.
        expect(update.stderr).toMatch(/"level":20/);
      }, 120_000);

      it('is not in crawl_runs: arguments, summary, or anything else the runs recorded', async () => {
        const client = new pg.Client({ connectionString: migrated.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ row: string }>('select to_jsonb(r)::text as row from crawl_runs as r');
          expect(rows.length).toBeGreaterThan(0);
          for (const { row } of rows) expectNoSecret('crawl_runs', row);
          const { rows: columns } = await client.query<{ arguments: unknown; summary: unknown }>('select arguments, summary from crawl_runs');
          // Finished runs were among them: both columns were written, and read above.
          expect(columns.some((r) => r.arguments !== null && r.summary !== null)).toBe(true);
        } finally {
          await client.end();
        }
      });

      it('--print-config masks it from the environment, a flag, and JSON and YAML config files', async () => {
        const yaml = join(dir, `${kind}.yaml`);
        const json = join(dir, `${kind}.json`);
        await writeFile(yaml, `databaseUrl: ${JSON.stringify(url())}\nspacingMs: 0\n`);
        await writeFile(json, JSON.stringify({ databaseUrl: url(), spacingMs: 0 }));
        const runs = [
          await runCli(['--print-config'], { env: { DATABASE_URL: url() } }),
          await runInProcess(['update', '--database-url', url(), '--print-config', ...debug]),
          await runInProcess(['--print-config', '--config', yaml]),
          await runInProcess(['--print-config'], { env: { STOCK_CRAWLER_CONFIG: json } }),
        ];
        for (const run of runs) {
          expect(run.code, run.stderr).toBe(0);
          expect(JSON.parse(run.stdout).config.databaseUrl).toMatch(/^postgres:\/\/postgres:\*\*\*@/);
          expectClean('--print-config', run);
        }
      });

      it('a config file carrying it works, and keeps it', async () => {
        const yaml = join(dir, `${kind}-run.yaml`);
        await writeFile(yaml, `databaseUrl: ${JSON.stringify(url())}\nbrokers: ${JSON.stringify(farm.brokers)}\n`);
        const run = await runCli(['update', '--symbols', '2330', '--config', yaml, ...debug]);
        expect(run.code, run.stderr).toBe(0);
        expectClean('update with a config file', run);
      });

      const failures = [
        ['an unreachable port', (): string => withPassword('postgres://127.0.0.1:1/stocks', password), 3],
        ['an unknown host', (): string => withPassword('postgres://db.invalid:5432/stocks', password), 3],
        ['an unknown database', (): string => withPassword(new URL('/no_such_database', migrated.url).toString(), password), 3],
        ['an unmigrated database', (): string => withPassword(unmigrated.url, password), 3],
        ['a URL that does not parse', (): string => `postgres://postgres:${password}@127.0.0.1:notaport/stocks`, 2],
      ] as const;

      // In process (the same run() the binary calls), every command against every failure;
      // the built binary for a sample below.
      it.each(failures)('every command fails on %s without showing it', async (what, badUrl, exitCode) => {
        const env = { DATABASE_URL: badUrl(), BROKER_URLS: farm.brokers, STOCK_CRAWLER_CONNECT_TIMEOUT_MS: '2000' };
        const commands = [['fetch', '2330'], ['update', '--symbols', '2330'], ['history', '2330'], ['health', '--db', '--timeout', '3000']];
        // migrate would create the schema the other commands are to find missing.
        if (what !== 'an unmigrated database') commands.push(['migrate']);
        for (const args of commands) {
          const run = await runInProcess([...args, ...debug], { env });
          expect(run.code, `${args[0]}: ${run.stderr}`).toBe(exitCode);
          expectClean(`${args[0]} on ${what}`, run);
        }
      }, 120_000);

      it('the built CLI fails on an unreachable port and an unmigrated database without showing it', async () => {
        const env = (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, BROKER_URLS: farm.brokers });
        const unreachable = await runCli(['fetch', '2330', ...debug], { env: env(failures[0][1]()) });
        expect(unreachable.code, unreachable.stderr).toBe(3);
        expectClean('the built fetch, unreachable', unreachable);
        const schemaless = await runCli(['update', '--symbols', '2330', ...debug], { env: env(failures[3][1]()) });
        expect(schemaless.code, schemaless.stderr).toBe(3);
        expectClean('the built update, unmigrated', schemaless);
      }, 60_000);

      it('a mistyped flag or argument that quotes it does not show it either', async () => {
        const env = { DATABASE_URL: url() };
        const built = await runCli(['migrate', `--database-uri=${url()}`], { env });
        const runs = [
          built,
          await runInProcess(['fetch', url(), ...debug], { env }),
          await runInProcess(['history', '2330', '--from', url(), ...debug], { env }),
          await runInProcess(['update', '--symbols', `2330,${url()}`, ...debug], { env }),
        ];
        for (const run of runs) {
          expect(run.code).toBe(2);
          expectClean('a mistyped flag', run);
        }
      }, 60_000);
    });
  }
});
