import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createSyncStateRepository } from '../../src/db/market/sync-state-repository.js';
import { SourceRefusedError, exitCodeFor } from '../../src/errors.js';
import { decodePage } from '../../src/market/decode-page.js';
import { parseIsinPage } from '../../src/market/parse-isin-page.js';
import { selectListings } from '../../src/market/select-listings.js';
import { describeBackends } from '../support/databases.js';
import { DEFAULT_SYMBOL_TYPES } from '../support/defaults.js';
import { startExchangeSite, type ExchangeSite } from '../support/exchange-site.js';
import { readFixture } from '../support/fixtures.js';
import { backendTableShapes, emptyMarketTables, FLAVOURS, openMarketDatabase, stockRows, type MarketDatabase } from '../db/market/helpers.js';
import { activeCodes, barCount, MONDAY_EVENING, snapshot, storeBar, sync, syncRuns } from './sync-harness.js';

const LATER = MONDAY_EVENING + 86_400_000;

for (const flavour of FLAVOURS) {
  describeBackends(`runSync refuses what it cannot trust, ${flavour} database`, (backend) => {
    let database: MarketDatabase;
    let site: ExchangeSite;
    beforeAll(async () => {
      database = await openMarketDatabase(backend, flavour);
      site = await startExchangeSite();
    });
    afterAll(async () => {
      await site?.close();
      await database?.close();
    });
    beforeEach(async () => {
      await emptyMarketTables(database.db);
      site.serve('TSE', { fixture: 'isin-tse.html' });
      site.serve('TPEx', { fixture: 'isin-tpex.html' });
      site.serve('holidays', { fixture: 'holiday-schedule-2026.json' });
    });

    it('syncs the other market when one answers 503, and says which failed (exit 1)', async () => {
      await sync(database.db, site);
      const tpexBefore = await activeCodes(database.db, 'TPEx');
      site.serve('TSE', { fixture: 'isin-tse-next.html' });
      site.serve('TPEx', { status: 503 });
      const result = await sync(database.db, site, { nowMs: LATER });
      expect(result).toMatchObject({ status: 'partial', exitCode: 1, refused: ['TPEx'], error: null });
      expect(result.document.success).toBe(false);
      expect(result.document.result.symbols?.sources[1]).toMatchObject({ market: 'TPEx', ok: false, error: { code: 'E_SOURCE_REFUSED', reason: 'http_status', status: 503 } });
      expect(result.document.result.symbols).toMatchObject({ added: 1, delisted: 1, renamed: 1, active: { TSE: 32, TPEx: 14 } });
      expect(result.document.message).toContain('TPEx left unchanged: HTTP 503');
      expect(await activeCodes(database.db, 'TPEx')).toEqual(tpexBefore);
      expect(await activeCodes(database.db, 'TSE')).toContain('00940');
      const states = new Map((await createSyncStateRepository(database.db).all()).map((state) => [state.source, state]));
      expect(states.get('TPEx')).toMatchObject({ syncedAt: new Date(MONDAY_EVENING), checkedAt: new Date(LATER), lastError: 'http_status: HTTP 503', rowCount: 17 });
      expect(states.get('TSE')).toMatchObject({ syncedAt: new Date(LATER), lastError: null });
      expect((await syncRuns(database.db)).map((run) => run.status)).toEqual(['succeeded', 'partial']);
    });

    it('changes nothing when no source can be used: a block page, a reset, a 503 (exit 3)', async () => {
      await sync(database.db, site);
      site.serve('TSE', { fixture: 'isin-blocked.html' });
      site.serve('TPEx', { reset: true });
      site.serve('holidays', { status: 503 });
      const before = await snapshot(database.db);
      const result = await sync(database.db, site, { nowMs: LATER });
      expect(result).toMatchObject({ status: 'failed', exitCode: 3, refused: ['TSE', 'TPEx', 'holidays'] });
      expect(result.error).toBeInstanceOf(SourceRefusedError);
      expect(exitCodeFor(result.error)).toBe(3);
      expect(result.document).toMatchObject({ success: false, error: { code: 'E_SOURCE_REFUSED', sources: ['TSE', 'TPEx', 'holidays'] } });
      expect(result.document.result.symbols?.sources.map((source) => source.error?.reason)).toEqual(['no_table', 'network']);
      const after = (await snapshot(database.db)) as { state: unknown; runs: unknown };
      const expected = before as { state: unknown; runs: unknown };
      // Only the attempts are recorded: the last error per source, and the run.
      expect({ ...after, state: null, runs: null }).toEqual({ ...expected, state: null, runs: null });
      for (const state of await createSyncStateRepository(database.db).all()) {
        expect(state).toMatchObject({ syncedAt: new Date(MONDAY_EVENING), checkedAt: new Date(LATER), lastError: expect.any(String) });
      }
      expect((await syncRuns(database.db)).map((run) => run.status)).toEqual(['succeeded', 'failed']);
    });

    it.each([
      ['a truncated page', { fixture: 'isin-tse-truncated.html' }, 'truncated'],
      ['a page far shorter than the last good sync', { fixture: 'isin-tpex.html' }, 'shrunk'],
      ['a page that drops more than 5 % of the market', { fixture: 'isin-tse-five-gone.html' }, 'mass_delist'],
    ])('refuses %s and leaves the market as it was', async (_what, answer, reason) => {
      await sync(database.db, site);
      const before = await activeCodes(database.db, 'TSE');
      site.serve('TSE', answer);
      const result = await sync(database.db, site, { nowMs: LATER });
      expect(result).toMatchObject({ status: 'partial', exitCode: 1, refused: ['TSE'] });
      expect(result.document.result.symbols?.sources[0]?.error?.reason).toBe(reason);
      expect(await activeCodes(database.db, 'TSE')).toEqual(before);
    });

    it('refuses a truncated page on a first sync too', async () => {
      site.serve('TSE', { fixture: 'isin-tse-truncated.html' });
      const result = await sync(database.db, site);
      expect(result.refused).toEqual(['TSE']);
      expect(await activeCodes(database.db, 'TSE')).toEqual([]);
      expect(await activeCodes(database.db, 'TPEx')).toHaveLength(14);
    });

    it('applies a mass delisting when allowed', async () => {
      await sync(database.db, site);
      site.serve('TSE', { fixture: 'isin-tse-five-gone.html' });
      const result = await sync(database.db, site, { nowMs: LATER, flags: { allowMassDelist: true } });
      expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
      expect(result.document.result.symbols).toMatchObject({ delisted: 5, delisted_codes: ['1102', '1216', '1326', '2207', '2912'], active: { TSE: 27 } });
      expect((await stockRows(database.db)).filter((row) => row.is_active === false)).toHaveLength(5);
    });

    it('records an interrupted run and rethrows the reason', async () => {
      const controller = new AbortController();
      const error = await sync(database.db, site, {
        signal: controller.signal,
        fetchSource: async (_url, signal) => {
          controller.abort(new Error('SIGTERM'));
          signal?.throwIfAborted();
          throw new Error('not reached');
        },
      }).catch((caught: unknown) => caught);
      expect(error).toEqual(new Error('SIGTERM'));
      expect((await syncRuns(database.db)).map((run) => run.status)).toEqual(['interrupted']);
      expect(await stockRows(database.db)).toEqual([]);
    });
  });
}

describeBackends('runSync on the backend’s populated database', (backend) => {
  let database: MarketDatabase;
  let site: ExchangeSite;
  beforeAll(async () => {
    database = await openMarketDatabase(backend, 'legacy');
    site = await startExchangeSite();
  });
  afterAll(async () => {
    await site?.close();
    await database?.close();
  });

  it('fills the backend’s columns with its values, deactivates what is gone, adds no column and deletes no row', async () => {
    // The backend's own sync had the same universe, with its capital figures, plus a code since delisted.
    const page = parseIsinPage(decodePage(readFixture('market/isin-tse.html')));
    if (!page.ok) throw new Error('fixture refused');
    for (const listing of selectListings(page.page, 'TSE', DEFAULT_SYMBOL_TYPES).listings) {
      await sql`insert into stocks (stock_code, stock_name, market, industry, capital_stock) values (${listing.code}, ${listing.name}, 'TSE', ${listing.industry}, 1000)`.execute(database.db);
    }
    await sql`insert into stocks (stock_code, stock_name, market, capital_stock) values ('1234', '已下市', 'TSE', 500), ('5555', '5555', 'UNKNOWN', null)`.execute(database.db);
    await storeBar(database, '1234');
    const shapes = await backendTableShapes(database.db);

    const result = await sync(database.db, site);
    expect(result.status).toBe('succeeded');
    expect(result.document.result.symbols).toMatchObject({ added: 14, delisted: 1, delisted_codes: ['1234'], unchanged: 32, active: { TSE: 32, TPEx: 14 } });
    expect(await backendTableShapes(database.db)).toEqual(shapes);
    const rows = await stockRows(database.db);
    expect(rows).toHaveLength(33 + 1 + 14);
    expect(rows.find((row) => row.stock_code === '1234')).toMatchObject({ is_active: false, stock_name: '已下市' });
    // A code given by hand (no market) is not the sync's to delist.
    expect(rows.find((row) => row.stock_code === '5555')).toMatchObject({ is_active: true, market: 'UNKNOWN' });
    const { rows: capital } = await sql<{ n: number }>`select count(*)::int as n from stocks where capital_stock = 1000`.execute(database.db);
    expect(capital[0]?.n).toBe(32);
    expect(await barCount(database, '1234')).toBe(1);
  });
});
