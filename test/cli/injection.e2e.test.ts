import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDailyBarsRepository } from '../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { readFixture } from '../support/fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { runCli, singleJson, type CliRun } from '../support/run-cli.js';
import { runInProcess } from '../support/run-in-process.js';
import { bar } from '../db/helpers.js';
import { saveBars } from '../support/save-bars.js';

/*
 * Hostile symbols, by every way a symbol comes in: refused with exit 2 before a request
 * reaches the mirror and before any statement runs against a real, migrated server — the
 * CLI talks to it through a counting TCP relay, which must see no connection at all.
 */
const HOSTILE = [
  ['an SQL injection', "2330' OR '1'='1"],
  ['a path', '../'],
  ['an encoded CRLF', '%0d%0a'],
  ['a header injection', '2330\r\nX-Evil: 1'],
  ['a 10 kB token', '2'.repeat(10_240)],
] as const;

type Route = 'fetch' | 'history' | '--symbols' | '--symbols-file' | 'stdin';
const ROUTES: readonly Route[] = ['fetch', 'history', '--symbols', '--symbols-file', 'stdin'];

/** A TCP relay to the database server that counts the connections made through it. */
async function startRelay(target: URL): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    const upstream = connect(Number(target.port || 5432), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Needs a PostgreSQL server (TEST_DATABASE_URL); the global setup says so loudly when it is missing.
const serverDescribe = TEST_DATABASE_URL ? describe : describe.skip;

serverDescribe('hostile symbols never reach a URL or SQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let mirror: LoopbackMirror;
  let client: pg.Client;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let relayedUrl: string;
  let root: string;
  let before: unknown;

  beforeAll(async () => {
    database = await createTestDatabase();
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    try {
      await migrateToLatest(handle.db);
      const bars = await createDailyBarsRepository(handle.db);
      await saveBars(bars, [bar('2330', '2024-01-02', 590), bar('2330', '2024-01-03', 593)], 'seed');
    } finally {
      await handle.close();
    }
    mirror = await startLoopbackMirror([
      http.get('*/z/BCD/czkc1.djbcd', () => new HttpResponse(readFixture('gregorian-6-sections.djbcd'))),
    ]);
    relay = await startRelay(new URL(database.url));
    const relayed = new URL(database.url);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(relay.port);
    relayedUrl = relayed.toString();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    root = await mkdtemp(join(tmpdir(), 'sc-injection-'));
    before = await snapshot();
  });

  afterAll(async () => {
    await client?.end();
    await relay?.close();
    await mirror?.close();
    await database?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Every row of every table the crawler writes, fingerprinted. */
  async function snapshot(): Promise<unknown> {
    const { rows } = await client.query(`
      select (select md5(coalesce(string_agg(b::text, '|' order by b::text), '')) from stock_daily_data as b) as bars,
             (select md5(coalesce(string_agg(s::text, '|' order by s::text), '')) from stocks as s) as stocks,
             (select count(*)::int from crawl_runs) as runs`);
    return rows[0];
  }

  const env = (): Record<string, string> => ({ DATABASE_URL: relayedUrl, BROKER_URLS: `local=${mirror.url}` });

  async function invoke(route: Route, symbol: string, runner: 'built' | 'in-process'): Promise<CliRun> {
    const file = join(root, `symbols-${Math.random().toString(36).slice(2)}.txt`);
    let argv: string[];
    let input: string | undefined;
    if (route === 'fetch' || route === 'history') argv = [route, symbol];
    else if (route === '--symbols') argv = ['update', '--symbols', `2330,${symbol}`];
    else if (route === '--symbols-file') {
      await writeFile(file, `2330\n${symbol}\n2317\n`);
      argv = ['update', '--symbols-file', file];
    } else {
      input = `2330\n${symbol}\n`;
      argv = ['update', '--symbols-file', '-'];
    }
    if (runner === 'in-process') return runInProcess(argv, { env: env(), input });
    // runCli gives its child no stdin; the built binary's stdin route is covered in bad-input.e2e.
    return runCli(argv, { env: env() });
  }

  function expectRefused(run: CliRun): void {
    expect(run.code, `${run.signal} ${run.stderr}`).toBe(2);
    const lines = run.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    // The echo is cut short and stripped of control characters: no header can be forged on stderr either.
    expect(lines[0]!.length).toBeLessThan(400);
    expect(lines[0]).not.toContain('X-Evil: 1\n');
    expect(singleJson(run.stdout)).toMatchObject({ success: false, error: { code: expect.stringMatching(/^E_(SYMBOL|USAGE)$/) } });
  }

  for (const route of ROUTES) {
    it.each(HOSTILE)(`${route}: refuses %s`, async (_what, symbol) => {
      expectRefused(await invoke(route, symbol, 'in-process'));
      expect(mirror.requests).toHaveLength(0);
      expect(relay.connections()).toBe(0);
      expect(await snapshot()).toEqual(before);
    });
  }

  it.concurrent.each(ROUTES.filter((route) => route !== 'stdin').map((route) => [route] as const))(
    'the built CLI refuses an injection through %s',
    async (route) => {
      expectRefused(await invoke(route, "2330' OR '1'='1", 'built'));
    },
  );

  it('nothing was asked of the mirror or the database, and nothing changed in it', async () => {
    expect(mirror.requests).toHaveLength(0);
    expect(relay.connections()).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('the relay does carry the CLI to the database (so its zero count means something)', async () => {
    const run = await runInProcess(['history', '2330'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(singleJson(run.stdout)).toMatchObject({ success: true, total_records: 2 });
    expect(relay.connections()).toBeGreaterThan(0);
  });
});
