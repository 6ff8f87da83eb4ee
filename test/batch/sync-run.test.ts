import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { holidayCalendar, lastClosedSession } from '../../src/batch/trading-session.js';
import { createHolidaysRepository } from '../../src/db/market/holidays-repository.js';
import { readReferenceState } from '../../src/db/market/reference-state.js';
import { referenceAge } from '../../src/market/reference-age.js';
import { UsageError } from '../../src/errors.js';
import { describeBackends } from '../support/databases.js';
import { startExchangeSite, type ExchangeSite } from '../support/exchange-site.js';
import { emptyMarketTables, FLAVOURS, openMarketDatabase, stockRows, type MarketDatabase } from '../db/market/helpers.js';
import { activeCodes, barCount, MONDAY_EVENING, snapshot, storeBar, sync, syncRuns } from './sync-harness.js';

for (const flavour of FLAVOURS) {
  describeBackends(`runSync, ${flavour} database`, (backend) => {
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

    it('fills an empty universe and calendar from the exchange, and records the run', async () => {
      const result = await sync(database.db, site);
      expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, refused: [], error: null });
      const { document } = result;
      expect(document).toMatchObject({ success: true, dry_run: false, updated_at: new Date(MONDAY_EVENING).toISOString(), source: 'node' });
      expect(document.result.symbols).toEqual({
        sources: [
          { market: 'TSE', url: site.sources[0]!.url, ok: true, rows: 43, kept: 32, skipped: { other: 1, warrant: 8, etn: 1 }, invalid: 1 },
          { market: 'TPEx', url: site.sources[1]!.url, ok: true, rows: 17, kept: 14, skipped: { warrant: 3 }, invalid: 0 },
        ],
        added: 46,
        renamed: 0,
        updated: 0,
        delisted: 0,
        relisted: 0,
        unchanged: 0,
        active: { TSE: 32, TPEx: 14 },
        by_type: { stock: 35, preferred: 2, etf: 7, tdr: 2 },
        delisted_codes: [],
        relisted_codes: [],
      });
      expect(document.result.calendar).toEqual({
        url: site.holidaySource,
        ok: true,
        year: 2026,
        holidays: 18,
        added: 18,
        removed: 0,
        changed: 0,
        trading_days: 4,
      });

      const stocks = await stockRows(database.db);
      expect(stocks).toHaveLength(46);
      expect(stocks.find((row) => row.stock_code === '2330')).toEqual({ stock_code: '2330', stock_name: '台積電', market: 'TSE', industry: '半導體業', is_active: true });
      expect(stocks.find((row) => row.stock_code === '00679B')).toEqual({ stock_code: '00679B', stock_name: '元大美債20年', market: 'TPEx', industry: null, is_active: true });
      expect(stocks.map((row) => row.stock_code)).toEqual(expect.arrayContaining(['006208', '00631L', '2881A', '910322', '006201']));
      for (const never of ['12345678', '030001', '01001T', '020000', '70286P']) expect(stocks.map((row) => row.stock_code)).not.toContain(never);
      expect((await sql<{ n: number }>`select count(*)::int as n from market_instruments`.execute(database.db)).rows[0]?.n).toBe(46);
      expect(await createHolidaysRepository(database.db).days()).toHaveLength(18);

      const runs = await syncRuns(database.db);
      expect(runs).toEqual([{ id: document.run_id, status: 'succeeded', summary: expect.objectContaining({ success: true }) }]);

      // What update and health read afterwards.
      const age = referenceAge(await readReferenceState(database.db), MONDAY_EVENING + 60_000, ['TSE', 'TPEx']);
      expect(age.universe).toMatchObject({ ageMs: 60_000, activeSymbols: 46 });
      expect(age.calendar).toMatchObject({ ageMs: 60_000, holidays: 18 });
    });

    it('applies a delisting, a rename, a new listing and an industry change; keeps the delisted symbol’s row and bars; relists it', async () => {
      await sync(database.db, site);
      await storeBar(database, '9904');

      site.serve('TSE', { fixture: 'isin-tse-next.html' });
      site.serve('TPEx', { fixture: 'isin-tpex-next.html' });
      const next = await sync(database.db, site, { nowMs: MONDAY_EVENING + 7 * 86_400_000 });
      expect(next.status).toBe('succeeded');
      expect(next.document.result.symbols).toMatchObject({
        added: 1,
        renamed: 1,
        updated: 1,
        delisted: 1,
        relisted: 0,
        unchanged: 43,
        active: { TSE: 32, TPEx: 14 },
        delisted_codes: ['9904'],
      });
      const stocks = new Map((await stockRows(database.db)).map((row) => [row.stock_code, row]));
      expect(stocks.get('9904')).toMatchObject({ is_active: false, stock_name: '寶成' });
      expect(stocks.get('3711')?.stock_name).toBe('日月光控股');
      expect(stocks.get('00940')).toMatchObject({ is_active: true, market: 'TSE' });
      expect(stocks.get('3293')?.industry).toBe('數位雲端業');
      expect(stocks.size).toBe(47);
      expect(await barCount(database, '9904')).toBe(1);
      const { rows } = await sql<{ delisted_date: string | null }>`select delisted_date from market_instruments where code = '9904'`.execute(database.db);
      expect(rows[0]?.delisted_date).toBe('2026-01-12');
      expect(await activeCodes(database.db, 'TSE')).not.toContain('9904');

      site.serve('TSE', { fixture: 'isin-tse.html' });
      site.serve('TPEx', { fixture: 'isin-tpex.html' });
      const back = await sync(database.db, site, { nowMs: MONDAY_EVENING + 14 * 86_400_000 });
      expect(back.document.result.symbols).toMatchObject({ added: 0, relisted: 1, renamed: 1, updated: 1, delisted: 1, relisted_codes: ['9904'], delisted_codes: ['00940'] });
      expect((await stockRows(database.db)).find((row) => row.stock_code === '9904')?.is_active).toBe(true);
      expect((await sql<{ d: string | null }>`select delisted_date as d from market_instruments where code = '9904'`.execute(database.db)).rows[0]?.d).toBeNull();
      expect(await syncRuns(database.db)).toHaveLength(3);
    });

    it('computes everything and writes nothing in a dry run', async () => {
      const before = await snapshot(database.db);
      const result = await sync(database.db, site, { flags: { dryRun: true } });
      expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
      expect(result.document).toMatchObject({ dry_run: true, run_id: null, result: { symbols: { added: 46, active: { TSE: 32, TPEx: 14 } }, calendar: { added: 18 } } });
      expect(result.document.message).toMatch(/^sync \(dry run, nothing written\): /);
      expect(await snapshot(database.db)).toEqual(before);
    });

    it('syncs only the universe or only the calendar when asked, and refuses both at once', async () => {
      const schedules = site.requests('holidays');
      const symbolsOnly = await sync(database.db, site, { flags: { symbolsOnly: true } });
      expect(symbolsOnly.document.result).toMatchObject({ symbols: { added: 46 }, calendar: null });
      expect(site.requests('holidays')).toBe(schedules);
      expect(await createHolidaysRepository(database.db).days()).toEqual([]);
      const tse = site.requests('TSE');
      const calendarOnly = await sync(database.db, site, { flags: { calendarOnly: true } });
      expect(calendarOnly.document.result).toMatchObject({ symbols: null, calendar: { added: 18 } });
      expect(site.requests('TSE')).toBe(tse);
      await expect(sync(database.db, site, { flags: { symbolsOnly: true, calendarOnly: true } })).rejects.toBeInstanceOf(UsageError);
    });

    it('keeps other years’ holidays, and the calendar it stores makes a holiday evening no session', async () => {
      await createHolidaysRepository(database.db).replaceYears([2025], [{ day: '2025-12-25', name: '行憲紀念日', description: null }], new Date());
      await sync(database.db, site, { flags: { calendarOnly: true } });
      const days = await createHolidaysRepository(database.db).days();
      expect(days[0]).toBe('2025-12-25');
      expect(days).toHaveLength(19);
      const holidays = holidayCalendar(days);
      const peaceDayEvening = Date.parse('2026-02-27T18:00:00+08:00');
      expect(lastClosedSession(peaceDayEvening, { timeZone: 'Asia/Taipei', readyAt: '17:00', holidays })).toBe('2026-02-26');
    });
  });
}
