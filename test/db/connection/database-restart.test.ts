import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createBarWriter } from '../../../src/db/bars/bar-writer.js';
import { createDailyBarsRepository } from '../../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../../src/db/schema/migrate.js';
import { openDatabase, type DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { acquireRunLock } from '../../../src/db/locks/run-lock.js';
import { isTransientDatabaseError, type RetryEvent } from '../../../src/db/connection/transient-retry.js';
import { DatabaseUnavailableError, LockHeldError } from '../../../src/errors.js';
import type { DailyBar } from '../../../src/core/daily-bar.js';
import { barSeries, symbolRange as codes, weekdays } from '../../support/bars.js';
import { describeWithCluster, startThrowawayCluster, type ThrowawayCluster } from '../../support/throwaway-cluster.js';
import { storedRows } from '../helpers.js';

const DAYS = weekdays('2024-01-02', 5);
const symbolBars = (symbol: string): DailyBar[] => barSeries(symbol, DAYS);
const ALL = { job: 'update', shard: null };

describeWithCluster('a real PostgreSQL server stopped and started under the database layer', () => {
  let cluster: ThrowawayCluster;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    handle = await openDatabase({ databaseUrl: cluster.url(), dataDir: '/nonexistent', poolSize: 4 });
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle?.close().catch(() => undefined);
    await cluster?.remove();
  });

  it('the cluster helper stops (refusing connections) and starts again with its data', async () => {
    await cluster.stop('immediate');
    const client = new pg.Client({ connectionString: cluster.url(), connectionTimeoutMillis: 2_000 });
    const refused = await client.connect().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(isTransientDatabaseError(refused)).toBe(true);
    await cluster.start();
    const again = new pg.Client({ connectionString: cluster.url() });
    again.on('error', () => undefined);
    await again.connect();
    try {
      const { rows } = await again.query<{ n: number }>(`select count(*)::int as n from stock_crawler_migration`);
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await again.end();
    }
  });

  it('the bar writer holds its writes while the server restarts, then commits each symbol whole', async () => {
    const retries: RetryEvent[] = [];
    const writer = createBarWriter({
      db: handle.db,
      repository: await createDailyBarsRepository(handle.db),
      maxDelayMs: 5,
      retryMs: 30_000,
      onRetry: (event) => retries.push(event),
    });
    expect(await writer.write('2330', symbolBars('2330'), 'm')).toMatchObject({ created: 5 });

    await cluster.stop('fast'); // every session is terminated, the pool's included
    const during = codes(6, 3000).map((symbol) => writer.write(symbol, symbolBars(symbol), 'm'));
    await vi.waitFor(() => expect(retries.length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 20 });
    await cluster.start();

    const counts = await Promise.all(during);
    expect(counts.every((c) => c.created + c.unchanged === 5)).toBe(true);
    const stored = await storedRows(handle.db);
    const perSymbol = new Map<string, number>();
    for (const row of stored) perSymbol.set(row.stock_code as string, (perSymbol.get(row.stock_code as string) ?? 0) + 1);
    expect(Object.fromEntries(perSymbol)).toEqual(Object.fromEntries(['2330', ...codes(6, 3000)].map((symbol) => [symbol, 5])));
    await writer.close();
  });

  it('the run lock is taken again after a restart within reacquireMs, and is lost (unavailable) past it', async () => {
    const info = vi.fn();
    const lock = await acquireRunLock(cluster.url(), ALL, { reacquireMs: 30_000, logger: { info, warn: vi.fn() } });
    try {
      await cluster.stop('immediate');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await cluster.start();
      await vi.waitFor(() => expect(info).toHaveBeenCalledWith(expect.anything(), 'run lock taken again'), { timeout: 15_000, interval: 50 });
      expect(lock.lost.aborted).toBe(false);
      const second = await acquireRunLock(cluster.url(), ALL).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(LockHeldError);
    } finally {
      await lock.release();
    }

    const brief = await acquireRunLock(cluster.url(), ALL, { reacquireMs: 500 });
    try {
      await cluster.stop('immediate');
      await vi.waitFor(() => expect(brief.lost.aborted).toBe(true), { timeout: 10_000, interval: 20 });
      expect(brief.lost.reason).toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await brief.release();
      await cluster.start();
    }
  });
});
