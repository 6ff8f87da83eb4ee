import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createSyncStateRepository } from '../../../src/db/market/sync-state-repository.js';
import { describeBackends } from '../../support/databases.js';
import { emptyMarketTables, openMarketDatabase, type MarketDatabase } from './helpers.js';

const FIRST = new Date('2026-01-05T10:00:00Z');
const LATER = new Date('2026-01-06T10:00:00Z');

describeBackends('sync state repository', (backend) => {
  let database: MarketDatabase;
  beforeAll(async () => {
    database = await openMarketDatabase(backend, 'crawler');
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await emptyMarketTables(database.db);
  });

  it('keeps the last good sync through a refused attempt, and clears the error on the next good one', async () => {
    const repository = createSyncStateRepository(database.db);
    await repository.recordFailure('TPEx', { url: 'http://a/4', error: 'http_status: HTTP 503' }, FIRST);
    await repository.recordSuccess('TSE', { url: 'http://a/2', rowCount: 43, keptCount: 32 }, FIRST);
    await repository.recordFailure('TSE', { url: 'http://a/2', error: 'shrunk: …' }, LATER);
    expect(await repository.all()).toEqual([
      { source: 'TPEx', url: 'http://a/4', rowCount: null, keptCount: null, syncedAt: null, checkedAt: FIRST, lastError: 'http_status: HTTP 503' },
      { source: 'TSE', url: 'http://a/2', rowCount: 43, keptCount: 32, syncedAt: FIRST, checkedAt: LATER, lastError: 'shrunk: …' },
    ]);
    await repository.recordSuccess('TSE', { url: 'http://b/2', rowCount: 44, keptCount: 33 }, LATER);
    expect((await repository.all()).find((state) => state.source === 'TSE')).toEqual({
      source: 'TSE',
      url: 'http://b/2',
      rowCount: 44,
      keptCount: 33,
      syncedAt: LATER,
      checkedAt: LATER,
      lastError: null,
    });
  });
});
