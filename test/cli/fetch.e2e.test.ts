import { http, HttpResponse } from 'msw';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDir, createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';
import { readFixture } from '../support/fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { runCli, singleJson } from '../support/run-cli.js';

const HISTORY = readFixture('gregorian-6-sections.djbcd');
const BLOCK_PAGE = readFixture('blocked-page-big5.html');
const ENDPOINT = '*/z/BCD/czkc1.djbcd';

const serveHistory = () =>
  http.get(ENDPOINT, () => new HttpResponse(HISTORY, { headers: { 'content-type': 'text/html; charset=big5' } }));

let healthy: LoopbackMirror;
let another: LoopbackMirror;
let down: LoopbackMirror;
let blocked: LoopbackMirror;

beforeAll(async () => {
  healthy = await startLoopbackMirror([serveHistory()]);
  another = await startLoopbackMirror([serveHistory()]);
  down = await startLoopbackMirror([http.get(ENDPOINT, () => new HttpResponse('busy', { status: 503 }))]);
  blocked = await startLoopbackMirror([
    http.get(ENDPOINT, () => new HttpResponse(BLOCK_PAGE, { headers: { 'content-type': 'text/html; charset=big5' } })),
  ]);
});

afterAll(async () => {
  await Promise.all([healthy.close(), another.close(), down.close(), blocked.close()]);
});

/** A 503 is an HTTP fault, a block page served with 200 a format fault. */
const classified = (attempt: { broker: string; status: unknown; code?: string }): boolean =>
  (attempt.broker === 'down' && attempt.status === 503 && attempt.code === 'E_MIRROR_HTTP') ||
  (attempt.broker === 'blocked' && attempt.status === 200 && attempt.code === 'E_FORMAT');

const quickRetries = { STOCK_CRAWLER_BACKOFF_BASE_MS: '10', STOCK_CRAWLER_BACKOFF_MAX_MS: '20' };

describe('stock-crawler fetch, end to end with the embedded database', () => {
  let dataDir: { dir: string; remove(): Promise<void> };
  beforeAll(async () => {
    dataDir = await createPgliteDir({ initialized: true });
  });
  afterAll(async () => dataDir.remove());

  it('stores a 1,440-bar history and prints the fetch document on stdout', async () => {
    const run = await runCli(['fetch', '2330', '--brokers', `local=${healthy.url}`, '--data-dir', dataDir.dir]);
    expect(run.code, run.stderr).toBe(0);
    const doc = singleJson(run.stdout);
    expect(doc).toMatchObject({
      success: true,
      stock_code: '2330',
      records_processed: 1440,
      created: 1440,
      updated: 0,
      unchanged: 0,
      rejected: [],
      broker: 'local',
      source: 'node',
    });
    expect(doc.data).toHaveLength(1440);
    expect((doc.data as unknown[])[0]).toEqual({
      stock_code: '2330',
      trade_date: '2020-05-18',
      open_price: 477,
      high_price: 484,
      low_price: 468.5,
      close_price: 471.5,
      volume: 56245,
    });
    expect(doc.attempts).toEqual([{ broker: 'local', status: 200, ms: expect.any(Number) }]);
    expect(Number.isNaN(Date.parse(String(doc.updated_at)))).toBe(false);
    // Logs are pino JSON lines on stderr, never on stdout.
    const logLines = run.stderr.trim().split('\n').filter(Boolean);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('finds every row stored on the second run: all unchanged', async () => {
    const run = await runCli(['fetch', '2330', '--brokers', healthy.url, '--data-dir', dataDir.dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(singleJson(run.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 1440 });
  });
});

describe('stock-crawler fetch, mirrors failing', () => {
  // Each process starts its rotation at a random mirror, so which healthy mirror serves and
  // which confirms varies from run to run; the outcome may not.
  it('serves from a healthy mirror past a 503 and a block page, and has the history confirmed by the other', async () => {
    const brokers = `down=${down.url},blocked=${blocked.url},good=${healthy.url},second=${another.url}`;
    const run = await runCli(['fetch', '2330', '--dry-run', '--brokers', brokers], { env: quickRetries });
    expect(run.code, run.stderr).toBe(0);
    const doc = singleJson(run.stdout);
    expect(['good', 'second']).toContain(doc.broker);
    const attempts = doc.attempts as Array<{ broker: string; status: unknown; code?: string }>;
    const answered = attempts.filter((attempt) => attempt.status === 200 && attempt.code === undefined).map((attempt) => attempt.broker);
    expect(answered[0]).toBe(doc.broker);
    expect([...answered].sort()).toEqual(['good', 'second']);
    for (const attempt of attempts.filter((a) => a.code !== undefined)) expect(classified(attempt)).toBe(true);
  });

  it('stores nothing on one mirror\'s word: exit 1 when no other mirror can confirm the history', async () => {
    const brokers = `down=${down.url},blocked=${blocked.url},good=${healthy.url}`;
    const run = await runCli(['fetch', '2330', '--dry-run', '--brokers', brokers], { env: quickRetries });
    expect(run.code).toBe(1);
    const doc = singleJson(run.stdout);
    expect(doc).toMatchObject({ success: false, error: { code: 'E_ALL_MIRRORS_FAILED' } });
    // Whatever the start, the confirmation had to try both failing mirrors.
    const attempts = doc.attempts as Array<{ broker: string; status: unknown; code?: string }>;
    const failed = attempts.filter((a) => a.code !== undefined);
    expect(new Set(failed.map((a) => a.broker))).toEqual(new Set(['down', 'blocked']));
    for (const attempt of failed) expect(classified(attempt)).toBe(true);
  });

  it('exits 1 with every attempt listed when all mirrors fail', async () => {
    const run = await runCli(['fetch', '2330', '--dry-run', '--brokers', `a=${down.url},b=${blocked.url}`], { env: quickRetries });
    expect(run.code).toBe(1);
    const doc = singleJson(run.stdout);
    expect(doc).toMatchObject({ success: false, stock_code: '2330', data: [], source: 'node' });
    const attempts = doc.attempts as Array<{ broker: string; status: unknown; ms: number }>;
    // Two mirrors, three rounds: each round tries both.
    expect(attempts).toHaveLength(6);
    expect(new Set(attempts.map((a) => a.broker))).toEqual(new Set(['a', 'b']));
    expect(String(doc.message)).toMatch(/^2330: /);
  });

  it('prints CSV when asked, header first', async () => {
    const run = await runCli(['fetch', '2330', '--dry-run', '--format', 'csv', '--brokers', healthy.url]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('stock_code,trade_date,open_price,high_price,low_price,close_price,volume');
    expect(lines).toHaveLength(1441);
    expect(lines[1]).toBe('2330,2020-05-18,477,484,468.5,471.5,56245');
  });
});

describe('stock-crawler fetch, bad input', () => {
  it.each([
    ['an SQL injection', "2330' OR '1'='1"],
    ['a path', '../etc'],
    ['a CRLF', '2330%0d%0a'],
    ['too few digits', '23'],
    ['a 10 kB token', 'x'.repeat(10_000)],
  ])('refuses %s with exit 2 and sends no request', async (_label, symbol) => {
    const before = healthy.requests.length;
    const run = await runCli(['fetch', symbol, '--dry-run', '--brokers', healthy.url]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^stock-crawler: invalid symbol/);
    expect(singleJson(run.stdout)).toMatchObject({ success: false, error: { code: 'E_SYMBOL' } });
    expect(healthy.requests.length).toBe(before);
  });

  it('exits 2 on an unknown flag, a bad mirror list or a bad config value', async () => {
    expect((await runCli(['fetch', '2330', '--no-such-flag'])).code).toBe(2);
    const badBrokers = await runCli(['fetch', '2330', '--dry-run', '--brokers', 'ftp://example.invalid/']);
    expect(badBrokers.code).toBe(2);
    expect(badBrokers.stderr).toMatch(/brokers/);
    const badValue = await runCli(['fetch', '2330', '--dry-run'], { env: { STOCK_CRAWLER_MAX_ATTEMPTS: 'many' } });
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toMatch(/maxAttempts \(from env STOCK_CRAWLER_MAX_ATTEMPTS\)/);
  });

  it('prints help and version without touching anything', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/fetch/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('stock-crawler with an unreachable server', () => {
  it('exits 3 and never shows the password', async () => {
    const url = 'postgres://crawler:s3cr3t-sentinel@127.0.0.1:1/stocks';
    const run = await runCli(['fetch', '2330', '--brokers', healthy.url], { env: { DATABASE_URL: url } });
    expect(run.code).toBe(3);
    expect(singleJson(run.stdout)).toMatchObject({ success: false, error: { code: 'E_DB_UNAVAILABLE' } });
    expect(run.stdout + run.stderr).not.toContain('s3cr3t-sentinel');
  });
});

// Server half: needs TEST_DATABASE_URL (the global setup says loudly when it is missing).
const serverDescribe = TEST_DATABASE_URL ? describe : describe.skip;

serverDescribe('stock-crawler fetch, end to end with PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('refuses an unmigrated server with exit 3 and a hint to migrate', async () => {
    const run = await runCli(['fetch', '2330', '--brokers', healthy.url], { env: { DATABASE_URL: database.url } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/stock-crawler migrate/);
    expect(singleJson(run.stdout)).toMatchObject({ error: { code: 'E_DB_SCHEMA' } });
  });

  it('migrates, then stores every row of the payload', async () => {
    const migrate = await runCli(['migrate'], { env: { DATABASE_URL: database.url } });
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(singleJson(migrate.stdout)).toMatchObject({ success: true });

    const run = await runCli(['fetch', '2330', '--brokers', `local=${healthy.url}`, '--database-url', database.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(singleJson(run.stdout)).toMatchObject({ success: true, created: 1440, broker: 'local' });

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select count(*)::int as n, min(trade_date)::text as first, max(trade_date)::text as last,
                count(distinct data_source)::int as sources, min(data_source) as source
           from stock_daily_data where stock_code = '2330'`,
      );
      expect(rows[0]).toEqual({ n: 1440, first: '2020-05-18', last: expect.any(String), sources: 1, source: 'local' });
    } finally {
      await client.end();
    }
  });
});
