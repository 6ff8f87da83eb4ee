import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarDateIn } from '../../src/clock.js';
import { batchSummarySchema } from '../../src/documents/batch-summary.js';
import { previousWeekday } from '../../src/batch/trading-session.js';
import { createPgliteDir } from '../support/databases.js';
import { readFixture } from '../support/fixtures.js';
import { startExchangeSite, type ExchangeSite } from '../support/exchange-site.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson } from '../support/run-cli.js';

/*
 * A new user's first nights, with the built CLI on the embedded database: no list given,
 * the crawler learns the universe and the calendar from the exchange's pages (loopback
 * copies of them) and crawls it from loopback mirrors; on a holiday evening it sends no
 * request. The child runs on the real clock; readyAt 00:00 makes "today" a closed session
 * whatever the hour, and the closure is put on the latest weekday, whatever the day.
 */
const TODAY = calendarDateIn(Date.now(), 'Asia/Taipei');
const LATEST_WEEKDAY = /^(Sat|Sun)/.test(new Date(`${TODAY}T12:00:00Z`).toUTCString()) ? previousWeekday(TODAY) : TODAY;
const DAY_BEFORE = previousWeekday(LATEST_WEEKDAY);

/** The fixture holiday schedule with one closure more, on `day` (a ROC date, as the source writes it). */
function scheduleClosing(day: string): Uint8Array {
  const [year, month, date] = day.split('-');
  const roc = `${Number(year) - 1911}${month}${date}`;
  const schedule = JSON.parse(readFixture('market/holiday-schedule-2026.json').toString('utf8')) as unknown[];
  return new TextEncoder().encode(JSON.stringify([...schedule, { Name: '颱風停止交易', Date: roc, Weekday: '', Description: 'closed' }]));
}

describe('a fresh embedded install: update with no list syncs, then crawls the universe', () => {
  let site: ExchangeSite;
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    site = await startExchangeSite();
    // The mirrors' newest bar is the weekday before the latest one: the store ends there.
    farm = await startMirrorFarm({ behaviours: ['ok', 'ok', 'ok', 'down'], lastDay: DAY_BEFORE });
    dataDir = await createPgliteDir();
  });
  afterAll(async () => {
    await farm?.close();
    await site?.close();
    await dataDir?.remove();
  });

  const env = (): Record<string, string> => ({
    BROKER_URLS: farm.brokers,
    STOCK_CRAWLER_DATA_DIR: dataDir.dir,
    STOCK_CRAWLER_SYMBOL_SOURCES: site.sources.map((source) => `${source.market}=${source.url}`).join(','),
    STOCK_CRAWLER_HOLIDAY_SOURCE: site.holidaySource,
    STOCK_CRAWLER_SPACING_MS: '0',
    STOCK_CRAWLER_READY_AT: '00:00',
  });
  const requests = (): number => farm.requests.reduce((sum, list) => sum + list.length, 0);

  it('syncs the universe and the calendar first, then crawls every active symbol of it', async () => {
    const run = await runCli(['update', '--quiet'], { env: env(), timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    expect(summary.reference).toMatchObject({ status: 'synced', universe_age_s: null });
    expect(summary.reference?.sync).toMatchObject({ symbols: { active: { TSE: 32, TPEx: 14 } }, calendar: { year: 2026 } });
    expect(summary.result).toMatchObject({ total: 46, succeeded: 46, failed: 0 });
    expect(summary.result.consistency.confirmed).toBe(46);
    expect(site.requests('TSE')).toBe(1);
    expect(site.requests('TPEx')).toBe(1);
    expect(site.requests('holidays')).toBe(1);
  });

  it('lists the universe it synced, and health reports its age', async () => {
    const csv = await runCli(['symbols', '--format', 'csv', '--type', 'etf'], { env: env() });
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('stock_code,stock_name,market,type,industry,isin,listed_date,is_active,delisted_date');
    expect(lines.slice(1).every((line) => line.split(',')[3] === 'etf')).toBe(true);
    expect(lines.some((line) => line.startsWith('00631L,'))).toBe(true);
    const health = await runCli(['health', '--db'], { env: env() });
    const document = singleJson(health.stdout) as { database: { reference: { active_symbols: number; universe_synced_at: string | null } } };
    expect(document.database.reference.active_symbols).toBe(46);
    expect(document.database.reference.universe_synced_at).not.toBeNull();
  });

  it('does not sync again while the universe is young: the next night only crawls (and finds nothing new)', async () => {
    const before = site.requests('TSE');
    const run = await runCli(['update', '--quiet'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    expect(summary.reference?.status).toBe('fresh');
    expect(site.requests('TSE')).toBe(before);
    // The latest weekday is a session the mirrors have not served: every symbol is asked again.
    expect(summary.result.processed).toBe(46);
  });

  it('on a holiday evening sends no request at all: the calendar says the market was closed', async () => {
    site.serve('holidays', { bytes: scheduleClosing(LATEST_WEEKDAY), contentType: 'application/json' });
    const sync = await runCli(['sync', '--calendar-only'], { env: env() });
    expect(sync.code, sync.stderr).toBe(0);
    expect(singleJson(sync.stdout)).toMatchObject({ success: true, result: { symbols: null, calendar: { added: 1 } } });
    const before = requests();
    const run = await runCli(['update', '--quiet'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    expect(summary.result).toMatchObject({ total: 46, skipped: 46, processed: 0 });
    expect(requests()).toBe(before);
  });
});

describe('stock-crawler sync, the built CLI', () => {
  let site: ExchangeSite;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    site = await startExchangeSite();
    dataDir = await createPgliteDir({ initialized: true });
  });
  afterAll(async () => {
    await site?.close();
    await dataDir?.remove();
  });

  const env = (): Record<string, string> => ({
    STOCK_CRAWLER_DATA_DIR: dataDir.dir,
    STOCK_CRAWLER_SYMBOL_SOURCES: site.sources.map((source) => `${source.market}=${source.url}`).join(','),
    STOCK_CRAWLER_HOLIDAY_SOURCE: site.holidaySource,
  });

  it('prints what it found and applied; a second state of the pages is a rename, a delisting and a new listing', async () => {
    const first = await runCli(['sync'], { env: env() });
    expect(first.code, first.stderr).toBe(0);
    expect(singleJson(first.stdout)).toMatchObject({ success: true, result: { symbols: { added: 46, delisted: 0 } } });
    site.serve('TSE', { fixture: 'isin-tse-next.html' });
    const second = await runCli(['sync', '--symbols-only'], { env: env() });
    expect(second.code, second.stderr).toBe(0);
    expect(singleJson(second.stdout)).toMatchObject({ result: { symbols: { added: 1, renamed: 1, delisted: 1 }, calendar: null } });
    const gone = await runCli(['symbols', '--all'], { env: env() });
    const rows = (singleJson(gone.stdout) as { data: Array<{ stock_code: string; is_active: boolean }> }).data;
    expect(rows.filter((row) => !row.is_active).map((row) => row.stock_code)).toEqual(['9904']);
  });

  it('exits 1 when one source fails, leaving the other applied; exits 3 when none can be used', async () => {
    site.serve('TPEx', { status: 503 });
    const partial = await runCli(['sync', '--symbols-only'], { env: env() });
    expect(partial.code).toBe(1);
    expect(singleJson(partial.stdout)).toMatchObject({ success: false });
    site.serve('TSE', { fixture: 'isin-blocked.html' });
    const none = await runCli(['sync', '--symbols-only'], { env: env() });
    expect(none.code).toBe(3);
    expect(singleJson(none.stdout)).toMatchObject({ success: false, error: { code: 'E_SOURCE_REFUSED' } });
  });

  it('refuses both --symbols-only and --calendar-only with exit 2', async () => {
    const run = await runCli(['sync', '--symbols-only', '--calendar-only'], { env: env() });
    expect(run.code).toBe(2);
  });
});
