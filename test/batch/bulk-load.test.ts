import { describe, expect, it } from 'vitest';
import { prepareBulkLoad, shouldDeferIndex } from '../../src/batch/bulk-load.js';
import { tableIndexes } from '../../src/db/schema/catalog.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { TRADE_DATE_INDEX } from '../../src/db/schema/trade-date-index.js';
import { describeBackends, embeddedBackend, useEmptyDatabase } from '../support/databases.js';

describe('shouldDeferIndex', () => {
  it('defers on the embedded database when a run brings many whole histories to a small table', () => {
    expect(shouldDeferIndex({ embedded: true, freshSymbols: 2_000, storedRows: 0 })).toBe(true);
    // 500 histories (720,000 rows) beside 2.88 million stored: a quarter, just.
    expect(shouldDeferIndex({ embedded: true, freshSymbols: 500, storedRows: 2_880_000 })).toBe(true);
  });

  it('keeps the index for a nightly run, a few new listings, or a table many times larger', () => {
    expect(shouldDeferIndex({ embedded: true, freshSymbols: 0, storedRows: 2_880_000 })).toBe(false);
    expect(shouldDeferIndex({ embedded: true, freshSymbols: 100, storedRows: 0 })).toBe(false);
    expect(shouldDeferIndex({ embedded: true, freshSymbols: 400, storedRows: 2_880_000 })).toBe(false);
  });

  it('never touches a server database: others read it while the crawler writes', () => {
    expect(shouldDeferIndex({ embedded: false, freshSymbols: 8_000, storedRows: 0 })).toBe(false);
  });
});

const quiet = { info: () => undefined, warn: () => undefined };

describeBackends('prepareBulkLoad', (backend) => {
  const store = useEmptyDatabase(backend, { scope: 'test' });
  const names = async () => (await tableIndexes(store.db, 'stock_daily_data')).map((index) => index.name);

  it('moves the embedded database to its own thread, drops the index, and builds it when told to; a server is left alone', async () => {
    await migrateToLatest(store.db);
    const logged: unknown[] = [];
    const rebuild = await prepareBulkLoad(store.handle, 2_000, { info: ((fields: unknown) => void logged.push(fields)) as never, warn: () => undefined });
    if (store.handle.kind === 'postgres') {
      expect(rebuild).toBeUndefined();
      expect(await names()).toContain(TRADE_DATE_INDEX);
      return;
    }
    expect(rebuild).toBeTypeOf('function');
    expect(logged).toEqual([expect.objectContaining({ freshSymbols: 2_000, storedRows: 0, ownThread: true })]);
    expect(await names()).not.toContain(TRADE_DATE_INDEX);
    await rebuild?.();
    expect(await names()).toContain(TRADE_DATE_INDEX);
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
