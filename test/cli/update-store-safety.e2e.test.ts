import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { batchSummarySchema, type BatchSummary } from '../../src/documents/batch-summary.js';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { backends, createTestDatabase } from '../support/databases.js';
import { heldAtGate, startGatedMirror, type GatedMirror } from '../support/gated-mirror.js';
import { startMirrorFarm, type FarmBar, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson, startCli } from '../support/run-cli.js';
import { storedBars } from '../support/stored-bars.js';

// Several CLI processes per test, on a machine that may be busy.
vi.setConfig({ testTimeout: 120_000 });

// The children run on the real clock: the mirrors' newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });

backends.find((backend) => backend.kind === 'postgres')!.describe('stock-crawler update never loses or spoils stored bars [postgres]', () => {
  let farm: MirrorFarm;
  // Two mirrors serving the same thing: a revision needs two mirrors agreeing on it.
  let mirrors: GatedMirror[];
  let database: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  /** What both mirrors serve for a symbol (before their 1,440-bar cap). */
  let serve: (symbol: string) => FarmBar[];
  const yesterday = (symbol: string): FarmBar[] => farm.history(symbol).slice(0, -1);

  const env = () => ({
    DATABASE_URL: database.url,
    BROKER_URLS: mirrors.map((mirror, i) => `m${i}=${mirror.url}`).join(','),
    STOCK_CRAWLER_LOG_LEVEL: 'warn',
    STOCK_CRAWLER_SPACING_MS: '0',
  });

  async function update(args: string[]): Promise<BatchSummary> {
    const run = await runCli(['update', ...args], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    return batchSummarySchema.parse(singleJson(run.stdout));
  }

  async function barsOf(symbol: string): Promise<FarmBar[]> {
    return (await storedBars(database.url)).get(symbol) ?? [];
  }

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: [], lastDay: LAST_SESSION });
    mirrors = await Promise.all([0, 1].map(() => startGatedMirror({ history: (symbol) => serve(symbol), passFirst: Number.POSITIVE_INFINITY })));
    database = await createTestDatabase();
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: database.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  beforeEach(() => {
    // Yesterday's history: each test stores it, then today's bar appears.
    serve = yesterday;
  });
  afterAll(async () => {
    await client?.end();
    await Promise.all((mirrors ?? []).map((mirror) => mirror.close()));
    await farm?.close();
    await database?.drop();
  });

  it('a fetch that returns fewer bars than are stored deletes nothing, in a full refetch or after a revision', async () => {
    await update(['--symbols', '5000,5001']);
    const before = await storedBars(database.url);
    expect(before.get('5000')).toHaveLength(1440);

    // The mirrors now stop at 20 bars, whatever is asked.
    serve = (symbol) => yesterday(symbol).slice(-20);
    const full = await update(['--symbols', '5000,5001', '--force', '--full']);
    expect(full.result).toMatchObject({ succeeded: 2, failed: 0, rows: { created: 0, updated: 0, unchanged: 40 } });
    expect(await storedBars(database.url)).toEqual(before);

    // History revised before the last three sessions, and today's bar out; the full
    // refetch the revision calls for brings only the last 100 bars.
    farm.revise('5000', farm.history('5000').at(-3)!.day, 0.9);
    serve = (symbol) => farm.history(symbol).slice(-100);
    const revised = await update(['--symbols', '5000']);
    expect(revised.result).toMatchObject({ succeeded: 1, revised: 1, failed: 0 });
    const after = await barsOf('5000');
    // The 100 bars are rewritten; the 1,340 older ones are kept as they were.
    expect(after).toHaveLength(1441);
    expect(after.slice(-100)).toEqual(farm.history('5000').slice(-100));
    expect(after.slice(0, -100)).toEqual(before.get('5000')!.slice(0, 1341));
  });

  it('a bar the validator rejects never replaces a stored valid one', async () => {
    await update(['--symbols', '5100']);
    const before = await barsOf('5100');
    const inWindow = before.at(-2)!; // among the incremental fetch's overlap days
    const older = before.at(-300)!;
    // Today's bar appears; the mirrors now send a zero close and an inverted range for two stored days.
    serve = (symbol) =>
      farm.history(symbol).map((bar) => {
        if (bar.day === inWindow.day) return { ...bar, close: 0 };
        if (bar.day === older.day) return { ...bar, high: bar.low, low: bar.high };
        return bar;
      });
    const nightly = await update(['--symbols', '5100']);
    expect(nightly.result).toMatchObject({ succeeded: 1, revised: 0, failed: 0, rows: { created: 1, updated: 0, rejected: 1 } });
    const full = await update(['--symbols', '5100', '--force', '--full']);
    expect(full.result).toMatchObject({ succeeded: 1, failed: 0, rows: { created: 0, updated: 0, rejected: 2 } });

    const after = await barsOf('5100');
    expect(after.find((bar) => bar.day === inWindow.day)).toEqual(inWindow);
    expect(after.find((bar) => bar.day === older.day)).toEqual(older);
    expect(after).toEqual([...before, farm.history('5100').at(-1)!]);
  });

  it('the full refetch after a revision rewrites the symbol in one transaction', async () => {
    await update(['--symbols', '5200,5201']);
    // Every row written to stock_daily_data, with the transaction that wrote it.
    await client.query(`
      create table row_writes (stock_code text, trade_date date, txid bigint);
      create function note_row_write() returns trigger language plpgsql as $$
        begin insert into row_writes values (new.stock_code, new.trade_date, txid_current()); return new; end $$;
      create trigger note_row_write after insert or update on stock_daily_data for each row execute function note_row_write();`);
    try {
      farm.revise('5200', farm.history('5200').at(-3)!.day, 0.95);
      serve = (symbol) => farm.history(symbol);
      const summary = await update(['--symbols', '5200,5201']);
      expect(summary.result).toMatchObject({ succeeded: 2, revised: 1, failed: 0 });

      const { rows } = await client.query<{ rows: number; transactions: number }>(
        `select count(*)::int as rows, count(distinct txid)::int as transactions from row_writes where stock_code = '5200'`,
      );
      // Every revised day and today's bar: ~1,440 rows, all in one transaction.
      expect(rows[0]!.rows).toBeGreaterThan(1_400);
      expect(rows[0]!.transactions).toBe(1);
      expect((await barsOf('5200')).slice(-1440)).toEqual(farm.history('5200').slice(-1440));
    } finally {
      await client.query(`drop trigger note_row_write on stock_daily_data; drop function note_row_write(); drop table row_writes`);
    }
  });

  it('--dry-run writes nothing at all: no row, no run record, no sequence value, no lock, no schema change', async () => {
    await update(['--symbols', '5300,5301']);
    // A real run now would write plenty: a revision, today's bars, a new symbol for `stocks`, a run record.
    farm.revise('5300', farm.history('5300').at(-3)!.day, 0.9);
    serve = (symbol) => farm.history(symbol);
    const symbols = '5300,5301,5302';
    const before = await snapshot(database.url);

    for (const mirror of mirrors) mirror.shut();
    const dry = startCli(['update', '--symbols', symbols, '--dry-run'], { env: env() });
    await Promise.any(mirrors.map((mirror) => heldAtGate(mirror, 1)));
    // Mid-run: it holds no advisory lock and has recorded no run.
    const { rows: locks } = await client.query(`select 1 from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`);
    expect(locks).toEqual([]);
    expect((await client.query(`select 1 from crawl_runs where status = 'running'`)).rows).toEqual([]);
    for (const mirror of mirrors) mirror.open();
    const done = await dry.done;
    expect(done.code, done.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(done.stdout));
    expect(summary).toMatchObject({ dry_run: true, result: { succeeded: 3, revised: 1, failed: 0 } });
    expect(summary.message).toMatch(/^dry run, nothing written/);

    expect(await snapshot(database.url)).toEqual(before);

    // The same run for real changes what the snapshot looks at: it would have seen a write.
    await update(['--symbols', symbols]);
    const after = await snapshot(database.url);
    for (const table of ['stock_daily_data', 'stocks', 'crawl_runs']) {
      expect(after.tables[table], table).not.toEqual(before.tables[table]);
      expect(after.activity[table], table).not.toEqual(before.activity[table]);
    }
  });
});

interface Snapshot {
  /** Per table: row count and an md5 of every row. */
  tables: Record<string, string>;
  /** Per table: rows inserted, updated, deleted since the statistics began (aborted transactions included). */
  activity: Record<string, string>;
  sequences: Record<string, string>;
  /** Columns, indexes, constraints, triggers and comments. */
  schema: string;
}

/**
 * Everything a run could change in the database, read once the crawler's sessions have
 * ended (a backend hands its statistics over as it exits).
 */
async function snapshot(url: string): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 20_000;
    const crawlerSessions = `select count(*) as n from pg_stat_activity where datname = current_database() and application_name like 'stock-crawler%'`;
    while (Number((await client.query(crawlerSessions)).rows[0].n) > 0) {
      if (Date.now() > deadline) throw new Error('the crawler\'s sessions are still open');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query('select pg_stat_clear_snapshot()');
    const relations = async (kind: string): Promise<string[]> =>
      (await client.query<{ name: string }>(`select relname as name from pg_class where relnamespace = 'public'::regnamespace and relkind = $1 order by 1`, [kind])).rows.map((row) => row.name);
    const tables: Record<string, string> = {};
    for (const table of await relations('r')) {
      const { rows } = await client.query(`select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from "${table}" as t`);
      tables[table] = rows[0].digest;
    }
    const sequences: Record<string, string> = {};
    for (const sequence of await relations('S')) {
      const { rows } = await client.query(`select last_value || ':' || is_called as state from "${sequence}"`);
      sequences[sequence] = rows[0].state;
    }
    const { rows: stats } = await client.query<{ relname: string; activity: string }>(
      `select relname, n_tup_ins || '/' || n_tup_upd || '/' || n_tup_del as activity from pg_stat_user_tables where schemaname = 'public'`,
    );
    const { rows: schema } = await client.query<{ digest: string }>(`
      select md5(string_agg(line, E'\\n' order by line)) as digest from (
        select format('%s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) as line
          from information_schema.columns where table_schema = 'public'
        union all select indexdef from pg_indexes where schemaname = 'public'
        union all select conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = 'public'::regnamespace
        union all select tgname from pg_trigger where not tgisinternal
        union all select relname || ' ' || coalesce(obj_description(oid, 'pg_class'), '') from pg_class where relnamespace = 'public'::regnamespace
      ) as lines`);
    return { tables, sequences, activity: Object.fromEntries(stats.map((row) => [row.relname, row.activity])), schema: schema[0]!.digest };
  } finally {
    await client.end();
  }
}
