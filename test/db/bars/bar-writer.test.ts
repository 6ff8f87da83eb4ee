import { sql, type Kysely, type KyselyPlugin } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { createBarWriter, type BarWriterOptions, type FlushReport } from '../../../src/db/bars/bar-writer.js';
import type { DailyBarsRepository } from '../../../src/db/bars/daily-bars-repository.js';
import type { RetryEvent } from '../../../src/db/connection/transient-retry.js';
import type { Database } from '../../../src/db/schema/tables.js';
import { DatabaseUnavailableError, SchemaError } from '../../../src/errors.js';
import type { DailyBar } from '../../../src/core/daily-bar.js';
import { bar, barSeries, symbolRange as codes } from '../../support/bars.js';
import { describeBackends, serverBackend } from '../../support/databases.js';
import { openBarsDatabase, storedRows, useMigratedDatabase } from '../helpers.js';

const DAYS = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'];

const symbolBars = (symbol: string, close = 100, days = DAYS): DailyBar[] => barSeries(symbol, days, close);

/**
 * The database seen through a plugin that counts the statements that completed and can
 * hold each one's result behind a gate (the statement has committed; its writer has not
 * heard yet), or fail it as a dropped connection would.
 */
function instrument(db: Kysely<Database>) {
  const probe = {
    statements: 0,
    gate: undefined as Promise<void> | undefined,
    failWith: undefined as Error | undefined,
  };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    async transformResult(args) {
      if (probe.failWith) throw probe.failWith;
      probe.statements += 1;
      if (probe.gate) await probe.gate;
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), probe };
}

for (const flavour of ['crawler', 'legacy'] as const) {
  describeBackends(`bar writer, ${flavour} table`, (backend) => {
    const database = useMigratedDatabase(backend, flavour, { emptyBarsBeforeEach: true });
    let flushes: FlushReport[];

    function writer(options: Partial<BarWriterOptions> & { db?: Kysely<Database> } = {}) {
      return createBarWriter({
        db: database.db,
        repository: database.repository,
        maxDelayMs: 20,
        onFlush: (report) => flushes.push(report),
        ...options,
      });
    }

    beforeEach(() => {
      flushes = [];
    });

    it('writes many symbols with one statement per flush and reports counts per symbol', async () => {
      const { db, probe } = instrument(database.db);
      const bars = writer({ db, maxSymbols: 100, maxRows: 20_000 });
      const symbols = codes(150);
      const first = await Promise.all(symbols.map((symbol, i) => bars.write(symbol, symbolBars(symbol), `mirror-${i % 8}`)));
      expect(first.every((counts) => counts.created === 5 && counts.updated === 0 && counts.unchanged === 0)).toBe(true);
      expect(probe.statements).toBe(2);
      expect(flushes.map((flush) => [flush.symbols, flush.rows, flush.oneByOne])).toEqual([
        [100, 500, false],
        [50, 250, false],
      ]);

      // Again, with one changed and one new day for every third symbol.
      const second = await Promise.all(
        symbols.map((symbol, i) =>
          bars.write(symbol, i % 3 === 0 ? [...symbolBars(symbol, 101), bar(symbol, '2024-01-09', 1)] : symbolBars(symbol), 'm'),
        ),
      );
      second.forEach((counts, i) =>
        expect(counts).toEqual(i % 3 === 0 ? { created: 1, updated: 5, unchanged: 0 } : { created: 0, updated: 0, unchanged: 5 }),
      );
      expect(probe.statements).toBe(4);
      await bars.close();
      const rows = await storedRows(database.db);
      expect(rows).toHaveLength(150 * 5 + 50);
      // The mirror is kept in the crawler's own table; the backend's rows say what its writer did.
      const source = flavour === 'crawler' ? 'mirror-1' : 'broker_crawler';
      expect(new Set(rows.filter((row) => row.stock_code === '1001').map((row) => row.data_source))).toEqual(new Set([source]));
    });

    it('keeps statements within maxRows, and a symbol larger than that goes alone', async () => {
      const bars = writer({ maxRows: 12, maxSymbols: 100 });
      const results = await Promise.all([
        ...codes(6).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm')),
        bars.write('2330', symbolBars('2330', 500, [...DAYS, '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12', '2024-01-15', '2024-01-16', '2024-01-17', '2024-01-18']), 'm'),
      ]);
      expect(results.at(-1)).toEqual({ created: 13, updated: 0, unchanged: 0 });
      expect(flushes.map((flush) => flush.rows)).toEqual([10, 10, 10, 13]);
    });

    it('fails a bad symbol alone; the others of its statement commit', async () => {
      const bad = flavour === 'legacy' ? 'X'.repeat(11) : 'X'.repeat(21); // longer than stock_code allows
      const bars = writer();
      const good = codes(4);
      const results = await Promise.allSettled([
        bars.write(good[0]!, symbolBars(good[0]!), 'm'),
        bars.write(bad, symbolBars(bad), 'm'),
        bars.write(good[1]!, symbolBars(good[1]!), 'm'),
        // 1e9 overflows numeric(12,4); the legacy float column takes it
        bars.write(good[2]!, [...symbolBars(good[2]!), bar(good[2]!, '2024-01-09', 1e9)], 'm'),
        bars.write(good[3]!, symbolBars(good[3]!), 'm'),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled', 'rejected', 'fulfilled', flavour === 'crawler' ? 'rejected' : 'fulfilled', 'fulfilled',
      ]);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_DB_WRITE' });
      expect(results[0]).toEqual({ status: 'fulfilled', value: { created: 5, updated: 0, unchanged: 0 } });
      expect(flushes).toEqual([expect.objectContaining({ symbols: 5, oneByOne: true, failed: flavour === 'crawler' ? 2 : 1 })]);
      const stored = new Set((await storedRows(database.db)).map((row) => row.stock_code));
      expect(stored).toEqual(new Set(flavour === 'crawler' ? [good[0], good[1], good[3]] : good));
      await bars.close();
    });

    it('refuses bars that are not the symbol’s before queueing them', async () => {
      const bars = writer();
      await expect(bars.write('2330', [bar('2317', '2024-01-02', 1)], 'm')).rejects.toMatchObject({ code: 'E_INTERNAL' });
      await expect(bars.write('2330', [bar('2330', '2024-01-02', Number.NaN)], 'm')).rejects.toMatchObject({ code: 'E_INTERNAL' });
      expect(await bars.write('2330', [], 'm')).toEqual({ created: 0, updated: 0, unchanged: 0 });
      expect(bars.pendingRows).toBe(0);
      await bars.close();
    });

    it('writes a symbol queued twice in two statements, in order', async () => {
      const bars = writer();
      const [first, second] = await Promise.all([
        bars.write('2330', symbolBars('2330', 100), 'a'),
        bars.write('2330', symbolBars('2330', 200), 'b'),
      ]);
      expect(first).toEqual({ created: 5, updated: 0, unchanged: 0 });
      expect(second).toEqual({ created: 0, updated: 5, unchanged: 0 });
      expect((await storedRows(database.db)).map((row) => row.close_price)).toEqual([200, 201, 202, 203, 204]);
    });

    it('holds writes back while maxPendingRows are pending (backpressure)', async () => {
      const { db, probe } = instrument(database.db);
      let open!: () => void;
      probe.gate = new Promise((resolve) => (open = resolve));
      const bars = writer({ db, maxPendingRows: 12, maxDelayMs: 50 });
      const admitted: string[] = [];
      const symbols = codes(6);
      const commits = symbols.map((symbol) =>
        bars.enqueue(symbol, symbolBars(symbol).slice(0, 4), 'm').then(({ committed }) => {
          admitted.push(symbol);
          return committed;
        }),
      );
      const peak = { rows: 0 };
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        peak.rows = Math.max(peak.rows, bars.pendingRows);
      }
      // Three writes of 4 fit in 12; the statement is held at the gate, so the rest wait.
      expect(admitted).toEqual(symbols.slice(0, 3));
      expect(bars.pendingRows).toBe(12);
      expect(bars.waiting).toBe(3);
      open();
      const counts = await Promise.all(commits);
      expect(counts.every((c) => c.created === 4)).toBe(true);
      expect(admitted).toEqual(symbols);
      expect(peak.rows).toBeLessThanOrEqual(12);
      expect(bars.pendingRows).toBe(0);
      // One write larger than the bound goes through alone.
      probe.gate = undefined;
      const big = [...DAYS, ...DAYS.map((day) => day.replace('2024-01', '2024-02')), '2024-03-01', '2024-03-04', '2024-03-05'];
      expect(await bars.write('2330', symbolBars('2330', 1, big), 'm')).toMatchObject({ created: 13 });
      await bars.close();
    });

    it('close() flushes what is queued, then refuses writes; flush() writes without waiting for the delay', async () => {
      const bars = writer({ maxDelayMs: 60_000 });
      const early = bars.write('2330', symbolBars('2330'), 'm');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await storedRows(database.db)).toEqual([]);
      await bars.flush();
      expect(await early).toMatchObject({ created: 5 });

      const pending = codes(3).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm'));
      await bars.close();
      expect((await Promise.all(pending)).map((c) => c.created)).toEqual([5, 5, 5]);
      expect(await storedRows(database.db)).toHaveLength(20);
      await expect(bars.write('2317', symbolBars('2317'), 'm')).rejects.toMatchObject({ code: 'E_INTERNAL' });
    });

    it('fails every pending write with DatabaseUnavailableError when the connection is lost', async () => {
      const { db, probe } = instrument(database.db);
      const bars = writer({ db, maxSymbols: 2, maxDelayMs: 60_000 });
      probe.failWith = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      const writes = codes(5).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm').catch((e: unknown) => e));
      const errors = await Promise.all(writes);
      for (const error of errors) expect(error).toBeInstanceOf(DatabaseUnavailableError);
      await expect(bars.write('2330', symbolBars('2330'), 'm')).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(bars.flush()).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await bars.close(); // never rejects
    });

    it('fails every pending write with SchemaError when the table cannot be written at all', async () => {
      await sql`alter table stock_daily_data rename column data_source to source_name`.execute(database.db);
      try {
        const bars = writer();
        const errors = await Promise.all(
          codes(3).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm').catch((e: unknown) => e)),
        );
        for (const error of errors) expect(error).toBeInstanceOf(SchemaError);
        await bars.close();
      } finally {
        await sql`alter table stock_daily_data rename column source_name to data_source`.execute(database.db);
      }
    });
  });
}

// Server only: PGlite is in-process and has no connection to lose (the injected failure
// above covers the writer on both backends).
serverBackend.describe('bar writer against a server that goes away [postgres]', () => {
  it('rejects the pending writes with DatabaseUnavailableError', async () => {
    const database = await openBarsDatabase(serverBackend, 'crawler');
    const { handle } = database;
    try {
      // Retries on: a database that no longer exists (3D000) is not worth waiting for.
      const bars = createBarWriter({ db: handle.db, repository: database.repository, maxDelayMs: 10, retryMs: 60_000 });
      expect(await bars.write('2330', symbolBars('2330'), 'm')).toMatchObject({ created: 5 });
      await database.drop(); // terminates every connection
      const started = Date.now();
      const error = await bars.write('2317', symbolBars('2317'), 'm').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(Date.now() - started).toBeLessThan(10_000);
      await bars.close();
    } finally {
      await handle.close().catch(() => undefined);
      await database.drop();
    }
  });
});

/**
 * The repository as the writer sees it, with a switch that makes every statement fail
 * before it reaches the database, as a refused connection does.
 */
function unplugged(repository: DailyBarsRepository) {
  const cable = { down: false, attempts: 0 };
  const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const wrap = (inner: DailyBarsRepository): DailyBarsRepository => ({
    ...inner,
    upsertPacked: async (groups) => {
      cable.attempts += 1;
      if (cable.down) throw refused();
      return inner.upsertPacked(groups);
    },
    withExecutor: (executor) => wrap(inner.withExecutor(executor)),
  });
  return { repository: wrap(repository), cable };
}

const tick = (ms = 5) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

describeBackends('bar writer while the database is away', (backend) => {
  const database = useMigratedDatabase(backend, 'crawler', { emptyBarsBeforeEach: true });

  it('retries the statement, admits no new write meanwhile, and commits every symbol whole once it is back', async () => {
    const { repository, cable } = unplugged(database.repository);
    const retries: RetryEvent[] = [];
    const bars = createBarWriter({
      db: database.db,
      repository,
      maxDelayMs: 5,
      retryMs: 60_000,
      sleep: () => tick(),
      onRetry: (event) => retries.push(event),
    });
    cable.down = true;
    const early = codes(3).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm'));
    await until(() => retries.length >= 3, 'the writer to retry');

    let admitted = 0;
    const late = codes(2, 2000).map((symbol) =>
      bars.enqueue(symbol, symbolBars(symbol), 'm').then(({ committed }) => {
        admitted += 1;
        return committed;
      }),
    );
    await until(() => retries.length >= 6, 'more retries');
    // The pipeline waits in enqueue, so it takes (and fetches) no further symbol.
    expect(admitted).toBe(0);
    expect(bars.waiting).toBe(2);
    expect(await storedRows(database.db)).toEqual([]);

    cable.down = false;
    const counts = await Promise.all([...early, ...late]);
    expect(counts.every((c) => c.created === 5)).toBe(true);
    expect(admitted).toBe(2);
    const stored = await storedRows(database.db);
    expect(stored).toHaveLength(25);
    expect([...new Set(stored.map((row) => row.stock_code))]).toEqual([...codes(3), ...codes(2, 2000)]);
    await bars.close();
  });

  it('fails every pending and waiting write with DatabaseUnavailableError once the database stays away past retryMs', async () => {
    const { repository, cable } = unplugged(database.repository);
    let now = 0;
    let retries = 0;
    const bars = createBarWriter({
      db: database.db,
      repository,
      maxDelayMs: 5,
      retryMs: 30_000,
      clock: { now: () => now },
      sleep: async (ms) => {
        now += ms;
        await tick();
      },
      onRetry: () => (retries += 1),
    });
    cable.down = true;
    const early = codes(3).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm').catch((e: unknown) => e));
    await until(() => retries >= 1, 'the first retry');
    const late = codes(2, 2000).map((symbol) => bars.write(symbol, symbolBars(symbol), 'm').catch((e: unknown) => e));
    const errors = await Promise.all([...early, ...late]);
    for (const error of errors) expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(now).toBeGreaterThanOrEqual(30_000);
    await expect(bars.write('2330', symbolBars('2330'), 'm')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(await storedRows(database.db)).toEqual([]);
    await bars.close();
  });

  it('stops retrying when its signal aborts (the run is stopping)', async () => {
    const { repository, cable } = unplugged(database.repository);
    const controller = new AbortController();
    const bars = createBarWriter({ db: database.db, repository, maxDelayMs: 5, retryMs: 600_000, signal: controller.signal });
    cable.down = true;
    const pending = bars.write('2330', symbolBars('2330'), 'm').catch((e: unknown) => e);
    await until(() => cable.attempts >= 1, 'the first attempt');
    const started = Date.now();
    controller.abort(new Error('SIGTERM'));
    expect(await pending).toBeInstanceOf(DatabaseUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
    await bars.close();
  });
});
