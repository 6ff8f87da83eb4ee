import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { indexesToDefer, prepareBulkLoad } from '../../src/batch/bulk-load.js';
import { tableIndexes } from '../../src/db/schema/catalog.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { PRIMARY_KEY, TRADE_DATE_INDEX } from '../../src/db/schema/deferred-indexes.js';
import { runUpdate } from '../../src/batch/update-run.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { createLogger } from '../../src/logger.js';
import { createPgliteDir, describeBackends, embeddedBackend, useEmptyDatabase } from '../support/databases.js';
import { startMirrorFarm } from '../support/mirror-farm.js';

describe('indexesToDefer', () => {
  it('defers both on the embedded database when a run brings many whole histories to a small table', () => {
    expect(indexesToDefer({ embedded: true, freshSymbols: 2_000, storedRows: 0 })).toEqual(['trade_date', 'primary_key']);
    // As many new rows as stored: still both.
    expect(indexesToDefer({ embedded: true, freshSymbols: 2_000, storedRows: 2_880_000 })).toEqual(['trade_date', 'primary_key']);
  });

  it('defers the trade_date index alone for a smaller share: the primary key is cheap to keep up', () => {
    // 500 histories (720,000 rows) beside 2.88 million stored: a quarter, just.
    expect(indexesToDefer({ embedded: true, freshSymbols: 500, storedRows: 2_880_000 })).toEqual(['trade_date']);
    expect(indexesToDefer({ embedded: true, freshSymbols: 1_400, storedRows: 2_880_000 })).toEqual(['trade_date']);
  });

  it('defers nothing for a nightly run, a few new listings, or a table many times larger', () => {
    expect(indexesToDefer({ embedded: true, freshSymbols: 0, storedRows: 2_880_000 })).toEqual([]);
    expect(indexesToDefer({ embedded: true, freshSymbols: 100, storedRows: 0 })).toEqual([]);
    expect(indexesToDefer({ embedded: true, freshSymbols: 400, storedRows: 2_880_000 })).toEqual([]);
  });

  it('never touches a server database: others read it while the crawler writes', () => {
    expect(indexesToDefer({ embedded: false, freshSymbols: 8_000, storedRows: 0 })).toEqual([]);
  });
});

const quiet = { info: () => undefined, warn: () => undefined };

describeBackends('prepareBulkLoad', (backend) => {
  const store = useEmptyDatabase(backend, { scope: 'test' });
  const names = async () => (await tableIndexes(store.db, 'stock_daily_data')).map((index) => index.name);

  it('moves the embedded database to its own thread, drops the indexes, and builds them when told to; a server is left alone', async () => {
    await migrateToLatest(store.db);
    const logged: unknown[] = [];
    const rebuild = await prepareBulkLoad(store.handle, 2_000, { info: ((fields: unknown) => void logged.push(fields)) as never, warn: () => undefined });
    if (store.handle.kind === 'postgres') {
      expect(rebuild).toBeUndefined();
      expect(await names()).toContain(TRADE_DATE_INDEX);
      return;
    }
    expect(rebuild).toBeTypeOf('function');
    expect(logged).toEqual([expect.objectContaining({ freshSymbols: 2_000, storedRows: 0, deferred: ['trade_date', 'primary_key'], ownThread: true })]);
    expect(await names()).not.toContain(TRADE_DATE_INDEX);
    expect(await names()).not.toContain(PRIMARY_KEY);
    await rebuild?.();
    expect(await names()).toEqual(expect.arrayContaining([TRADE_DATE_INDEX, PRIMARY_KEY]));
    expect(logged.at(-1)).toEqual(expect.objectContaining({ built: ['primary_key', 'trade_date'] }));
  });

  it('leaves the index alone for a run of a few symbols', async () => {
    await migrateToLatest(store.db);
    expect(await prepareBulkLoad(store.handle, 20, quiet)).toBeUndefined();
    expect(await names()).toContain(TRADE_DATE_INDEX);
  });
});

embeddedBackend.describe('prepareBulkLoad when the build fails', () => {
  const store = useEmptyDatabase(embeddedBackend, { scope: 'test' });

  it('logs, and does not throw, when the build fails: the next open builds it', async () => {
    await migrateToLatest(store.db);
    const warnings: string[] = [];
    const rebuild = await prepareBulkLoad(store.handle, 2_000, { info: () => undefined, warn: ((_fields: unknown, message: string) => void warnings.push(message)) as never });
    await store.handle.close();
    await expect(rebuild?.()).resolves.toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('next open')]);
  });
});

describe('a first backfill into the embedded database (a bulk load, end to end)', () => {
  // 180 whole histories (259,200 rows): a bulk load; 20 symbols stored beforehand go by upsert meanwhile.
  const symbols = Array.from({ length: 200 }, (_, i) => String(2001 + i * 3));
  const stored = symbols.slice(0, 20);

  it('stores every bar, keeps upserting stored symbols, and ends with every index and the key on id', async () => {
    const { dir, remove } = await createPgliteDir({ initialized: true });
    const farm = await startMirrorFarm({ behaviours: ['ok', 'ok', 'ok', 'ok'], lastDay: '2026-11-25' });
    try {
      const update = async (list: readonly string[], logs: string[] = []) => {
        const { config } = await loadConfig({ flags: { dataDir: dir, brokers: farm.brokers, quiet: true }, env: { STOCK_CRAWLER_SPACING_MS: '0', STOCK_CRAWLER_CONCURRENCY: '16', STOCK_CRAWLER_PER_MIRROR: '4' } });
        const logger = createLogger({ level: 'info', pretty: false, write: (line) => void logs.push(line) });
        const progress = () => ({ update: () => undefined, stop: () => undefined });
        return runUpdate({ symbols: list, force: false, full: false, dryRun: false, detailed: false, noSync: false }, { config, logger, progress, signal: new AbortController().signal, clock: { now: () => Date.UTC(2026, 10, 25, 10, 0) } });
      };
      // Stored up to the week before: the bulk load brings them the days since by upsert.
      const earlier = await update(stored);
      expect(earlier.exitCode).toBe(0);
      const handle = await openDatabase({ dataDir: dir });
      const indexes = (await tableIndexes(handle.db, 'stock_daily_data')).map((index) => index.name).sort();
      await sql`delete from stock_daily_data where trade_date > date '2026-11-18'`.execute(handle.db);
      await handle.close();

      const logs: string[] = [];
      const { summary, exitCode } = await update(symbols, logs);
      expect(exitCode).toBe(0);
      expect(summary.result).toMatchObject({ total: 200, succeeded: 200, failed: 0 });
      expect(logs.join('\n')).toContain('"deferred":["trade_date","primary_key"]');
      expect(logs.join('\n')).toContain('"built":["primary_key","trade_date"]');

      const after = await openDatabase({ dataDir: dir });
      try {
        expect((await tableIndexes(after.db, 'stock_daily_data')).map((index) => index.name).sort()).toEqual(indexes);
        const { rows } = await sql<{ symbols: number; bars: number; ids: number; newest: string }>`
          select count(distinct stock_code)::int as symbols, count(*)::int as bars, count(distinct id)::int as ids, max(trade_date)::text as newest
          from stock_daily_data`.execute(after.db);
        expect(rows[0]).toEqual({ symbols: 200, bars: 200 * 1_440, ids: 200 * 1_440, newest: '2026-11-25' });
      } finally {
        await after.close();
      }
    } finally {
      await farm.close();
      await remove();
    }
  }, 120_000);
});
