import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyCommand } from '../../src/cli/commands/history.js';
import { parseHistoryRequest } from '../../src/cli/history-request.js';
import { historyDocumentSchema } from '../../src/documents/history-document.js';
import { legacyHistoryPageSchema } from '../../src/documents/legacy-history-page.js';
import { csvHeader, csvRows, formatCsv, formatTable } from '../../src/cli/format-bars.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createDailyBarsRepository } from '../../src/db/bars/daily-bars-repository.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection/open-database.js';
import { CrawlerError, SymbolError, UsageError } from '../../src/errors.js';
import { bar } from '../db/helpers.js';
import { commandContext } from '../support/command-context.js';
import { saveBars } from '../support/save-bars.js';
import { createPgliteDir, createTestDatabase, TEST_DATABASE_URL } from '../support/databases.js';

const HEADER = 'stock_code,trade_date,open_price,high_price,low_price,close_price,volume';

/** 3,200 weekdays from 2012-01-02 on: more than six pages of 500. */
const DAYS: string[] = [];
for (let at = Date.UTC(2012, 0, 2); DAYS.length < 3_200; at += 86_400_000) {
  const weekday = new Date(at).getUTCDay();
  if (weekday !== 0 && weekday !== 6) DAYS.push(new Date(at).toISOString().slice(0, 10));
}
const close = (i: number): number => 100 + (i % 400) + 0.5;
const csvLine = (day: string, i: number): string => `2330,${day},${close(i) - 1},${close(i) + 2},${close(i) - 2},${close(i)},${1000 + i}`;

async function seed(handle: DatabaseHandle): Promise<void> {
  const repository = await createDailyBarsRepository(handle.db);
  await saveBars(repository, 
    [...DAYS.map((day, i) => bar('2330', day, close(i), { volume: 1000 + i })), bar('2317', '2012-01-03', 50)],
    'mirror-a',
  );
}

/** A `write` that records each chunk and takes a moment, as a slow pipe would. */
function collectingWriter() {
  const chunks: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (chunk: string): Promise<void> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await sleep(1);
    chunks.push(chunk);
    inFlight -= 1;
  };
  return { write, chunks, maxInFlight: () => maxInFlight };
}

interface Store {
  kind: string;
  run: boolean;
  setup(): Promise<{ flags: Partial<Config>; cleanup(): Promise<void> }>;
}

const stores: Store[] = [
  {
    kind: 'pglite',
    run: true,
    async setup() {
      const { dir, remove } = await createPgliteDir({ initialized: true });
      const handle = await openDatabase({ dataDir: dir });
      try {
        await seed(handle);
      } finally {
        await handle.close();
      }
      return { flags: { dataDir: dir }, cleanup: remove };
    },
  },
  {
    kind: 'postgres',
    // Needs a server; the global setup says loudly when TEST_DATABASE_URL is missing.
    run: TEST_DATABASE_URL !== undefined,
    async setup() {
      const database = await createTestDatabase();
      const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
      try {
        await migrateToLatest(handle.db);
        await seed(handle);
      } finally {
        await handle.close();
      }
      return { flags: { databaseUrl: database.url }, cleanup: database.drop };
    },
  },
];

for (const store of stores) {
  (store.run ? describe : describe.skip)(`historyCommand [${store.kind}]`, () => {
    let config: Config;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const ready = await store.setup();
      cleanup = ready.cleanup;
      config = (await loadConfig({ flags: ready.flags, env: {} })).config;
    });
    afterAll(async () => cleanup?.());

    type HistoryInput = { symbol?: string; from?: string; to?: string; limit?: string; order?: string; format?: string; page?: string; sortBy?: string; shape?: string; pageSize?: number };
    const history = ({ symbol = '2330', pageSize, ...values }: HistoryInput, write = collectingWriter().write) =>
      historyCommand(commandContext({ config, args: [symbol], values, write }), pageSize);

    it('prints the JSON document of a range, from/to echoing the range asked', async () => {
      const output = await history({ from: '2012-01-05', to: '2012-01-10' });
      expect(output.exitCode).toBe(0);
      expect(output.written).toBeFalsy();
      expect(output.document).toEqual({
        success: true,
        message: expect.stringMatching(/^2330: 4 bars, 2012-01-05 to 2012-01-10/),
        stock_code: '2330',
        data: [3, 4, 5, 6].map((i) => ({
          stock_code: '2330',
          trade_date: DAYS[i],
          open_price: close(i) - 1,
          high_price: close(i) + 2,
          low_price: close(i) - 2,
          close_price: close(i),
          volume: 1000 + i,
          adjusted_close: close(i),
        })),
        total_records: 4,
        from: '2012-01-05',
        to: '2012-01-10',
        order: 'asc',
        limit: null,
        source: 'node',
        // The old endpoint's keys: the whole range is one page.
        status: 'success',
        stock_symbol: '2330',
        query_params: { start_date: '2012-01-05', end_date: '2012-01-10', sort_by: 'trade_date', sort_order: 'asc' },
        pagination: { page: 1, limit: 4, total_pages: 1, has_next: false, has_previous: false },
      });
      expect(historyDocumentSchema.parse(output.document)).toEqual(output.document);
      // what a script reads survives the trip through JSON unchanged
      expect(JSON.parse(JSON.stringify(output.document))).toEqual(output.document);
    });

    it('reads across pages for JSON too; --limit with --order desc gives the newest first', async () => {
      const all = (await history({ pageSize: 700 })).document as { data: Array<{ trade_date: string }>; total_records: number; from: null; to: null };
      expect(all.total_records).toBe(3_200);
      expect(all.data.map((row) => row.trade_date)).toEqual(DAYS);
      expect(all).toMatchObject({ from: null, to: null });
      const newest = (await history({ limit: '3', order: 'desc', pageSize: 2 })).document as typeof all;
      expect(newest.data.map((row) => row.trade_date)).toEqual(DAYS.slice(-3).reverse());
      // A limit pages the range as the old endpoint did: total_records counts all of it.
      expect(newest).toMatchObject({ total_records: 3_200, limit: 3, order: 'desc', pagination: { page: 1, limit: 3, total_pages: 1067, has_next: true } });
    });

    it('pages as the old endpoint did: page 2 of 50, newest first, with its arithmetic', async () => {
      const { document } = await history({ page: '2', limit: '50', order: 'desc' });
      const page = historyDocumentSchema.parse(document);
      expect(page.data.map((row) => row.trade_date)).toEqual(DAYS.slice(-100, -50).reverse());
      expect(page.total_records).toBe(3_200);
      expect(page.pagination).toEqual({ page: 2, limit: 50, total_pages: 64, has_next: true, has_previous: true });
      const last = historyDocumentSchema.parse((await history({ page: '64', limit: '50' })).document);
      expect(last.pagination).toMatchObject({ page: 64, has_next: false, has_previous: true });
      expect(last.data).toHaveLength(50);
      const past = historyDocumentSchema.parse((await history({ page: '65', limit: '50' })).document);
      expect(past).toMatchObject({ data: [], total_records: 3_200, pagination: { page: 65, has_next: false } });
    });

    it('sorts by another column when asked, ties by date', async () => {
      const { document } = await history({ sortBy: 'close_price', order: 'desc', limit: '3' });
      const page = historyDocumentSchema.parse(document);
      expect(page.query_params).toEqual({ start_date: null, end_date: null, sort_by: 'close_price', sort_order: 'desc' });
      const closes = page.data.map((row) => row.close_price);
      expect(closes).toEqual([...closes].sort((a, b) => b! - a!));
      expect(closes[0]).toBe(499.5);
    });

    it('prints exactly the old document with --shape legacy: page 1 of 50, newest first', async () => {
      const { document } = await history({ shape: 'legacy' });
      const old = legacyHistoryPageSchema.parse(document);
      expect(Object.keys(document as object)).toEqual(['status', 'stock_symbol', 'data', 'total_records', 'query_params', 'pagination', 'message']);
      expect(old.data).toHaveLength(50);
      expect(old.data[0]).toEqual({ trade_date: DAYS.at(-1), open_price: close(3199) - 1, high_price: close(3199) + 2, low_price: close(3199) - 2, close_price: close(3199), volume: 4199, adjusted_close: close(3199) });
      expect(old.pagination).toEqual({ page: 1, limit: 50, total_pages: 64, has_next: true, has_previous: false });
      expect(old.message).toBe('Retrieved 50 records for stock 2330');
    });

    it('refuses a page over 1000 rows or a page that is no positive integer (exit 2)', async () => {
      await expect(history({ limit: '1001' })).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(history({ page: '0' })).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(history({ page: 'x' })).rejects.toMatchObject({ code: 'E_USAGE' });
    });

    it('answers an unknown symbol with an empty result and exit 0', async () => {
      const output = await history({ symbol: '9999' });
      expect(output.exitCode).toBe(0);
      expect(output.document).toMatchObject({ success: true, stock_code: '9999', data: [], total_records: 0 });
      const csv = collectingWriter();
      expect(await history({ symbol: '00631l', format: 'csv' }, csv.write)).toMatchObject({ exitCode: 0, written: true });
      expect(csv.chunks).toEqual([`${HEADER}\n`]);
    });

    it('streams CSV page by page: header first, each page written (and awaited) before the next is read', async () => {
      const csv = collectingWriter();
      const output = await history({ format: 'csv', pageSize: 500 }, csv.write);
      expect(output).toMatchObject({ exitCode: 0, written: true });
      expect(output.text).toBeUndefined();
      // header + 6 full pages + 200 rows
      expect(csv.chunks).toHaveLength(8);
      expect(csv.chunks[0]).toBe(`${HEADER}\n`);
      expect(csv.chunks.slice(1).map((chunk) => chunk.split('\n').length - 1)).toEqual([500, 500, 500, 500, 500, 500, 200]);
      expect(csv.maxInFlight()).toBe(1);
      const lines = csv.chunks.join('').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toEqual([HEADER, ...DAYS.map(csvLine)]);
    });

    it('streams CSV newest first within a range and a limit', async () => {
      const csv = collectingWriter();
      await history({ format: 'csv', pageSize: 500, order: 'desc', from: DAYS[100], limit: '1200' }, csv.write);
      expect(csv.chunks.map((chunk) => chunk.split('\n').length - 1)).toEqual([1, 500, 500, 200]);
      const rows = csv.chunks.slice(1).join('').trim().split('\n');
      expect(rows).toEqual(DAYS.map(csvLine).slice(-1200).reverse());
    });

    it('prints a table for people, with a closing line', async () => {
      const output = await history({ format: 'table', from: '2012-01-02', to: '2012-01-03' });
      expect(output.exitCode).toBe(0);
      const lines = (output.text ?? '').trimEnd().split('\n');
      expect(lines[0]).toMatch(/^date\s+open\s+high\s+low\s+close\s+volume$/);
      expect(lines[1]).toMatch(/^2012-01-02\s+99\.5\s+102\.5\s+98\.5\s+100\.5\s+1000$/);
      expect(lines).toHaveLength(4);
      expect(lines[3]).toMatch(/^2330: 2 bars/);
    });
  });
}

describe('history arguments', () => {
  const valid = { symbol: '2330', order: 'asc' } as const;

  it('accepts real days, an open range, a positive limit; upper-cases the symbol', () => {
    expect(parseHistoryRequest({ ...valid, symbol: ' 00631l ', from: '2024-02-29', to: '2024-02-29', limit: '007' })).toEqual({
      symbol: '00631L',
      from: '2024-02-29',
      to: '2024-02-29',
      limit: 7,
      order: 'asc',
    });
    expect(parseHistoryRequest({ ...valid, order: 'desc' })).toEqual({ ...valid, order: 'desc', from: undefined, to: undefined, limit: undefined });
  });

  it.each([
    ['a day that does not exist', { from: '2024-02-30' }],
    ['29 February of a common year', { to: '2023-02-29' }],
    ['slashes', { from: '2024/01/01' }],
    ['a word', { from: 'yesterday' }],
    ['an empty date', { to: '' }],
    ['a timestamp', { from: '2024-01-01T00:00:00Z' }],
    ['year 0', { from: '0000-01-01' }],
    ['a reversed range', { from: '2024-03-01', to: '2024-02-29' }],
    ['limit 0', { limit: '0' }],
    ['a negative limit', { limit: '-1' }],
    ['a word as limit', { limit: 'x' }],
    ['a fractional limit', { limit: '1.5' }],
    ['an empty limit', { limit: '' }],
    ['an unsafe integer limit', { limit: '99999999999999999999' }],
    ['an unknown order', { order: 'sideways' as 'asc' }],
  ])('refuses %s with a UsageError (exit 2)', (_label, bad) => {
    expect(() => parseHistoryRequest({ ...valid, ...bad })).toThrow(UsageError);
    try {
      parseHistoryRequest({ ...valid, ...bad });
    } catch (error) {
      expect((error as CrawlerError).code).toBe('E_USAGE');
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('refuses a bad symbol with a SymbolError', () => {
    expect(() => parseHistoryRequest({ ...valid, symbol: "2330' or 1=1" })).toThrow(SymbolError);
  });

  it('keeps the message one line for hostile input', () => {
    expect(() => parseHistoryRequest({ ...valid, from: '2024-01-01\n\u001b[31mred' })).toThrow(/^--from "2024-01-01\\n\\u001b\[31mred" is not/);
  });

  it('checks the arguments before opening the database', async () => {
    // An unreachable server: were it opened first, the error would be E_DB_UNAVAILABLE.
    const { config } = await loadConfig({ flags: { databaseUrl: 'postgres://nobody@127.0.0.1:1/none' }, env: {} });
    const values = { format: 'csv' };
    await expect(historyCommand(commandContext({ config, args: ['2330'], values: { ...values, from: '2024-02-30' } }))).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(historyCommand(commandContext({ config, args: ['23'], values }))).rejects.toMatchObject({ code: 'E_SYMBOL' });
    await expect(historyCommand(commandContext({ config, args: ['2330'], values }))).rejects.toMatchObject({ code: 'E_DB_UNAVAILABLE' });
  });
});

describe('CSV and table pieces', () => {
  const stored = { stock_code: '2454', trade_date: '2024-01-03', open_price: null, high_price: 1010, low_price: 990, close_price: 1005.5, volume: null };

  it('prints a NULL the backend left as an empty CSV field and a - in a table, never as 0 or "null"', () => {
    expect(csvRows([stored])).toBe('2454,2024-01-03,,1010,990,1005.5,\n');
    expect(formatTable([stored]).split('\n')[1]).toMatch(/^2024-01-03\s+-\s+1010\s+990\s+1005\.5\s+-$/);
  });

  it('assembles to the same text as formatCsv', () => {
    const row = { ...stored, open_price: 1000, volume: 5 };
    expect(csvHeader() + csvRows([row, row])).toBe(formatCsv([row, row]));
    expect(csvRows([])).toBe('');
  });
});
