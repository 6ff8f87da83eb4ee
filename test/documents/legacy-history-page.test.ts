import { describe, expect, it } from 'vitest';
import {
  buildLegacyHistoryKeys,
  buildLegacyHistoryPage,
  legacyHistoryKeysSchema,
  legacyHistoryPageSchema,
  legacyPagination,
  toLegacyHistoryRow,
  withAdjustedClose,
  type LegacyHistoryInput,
  type LegacyHistoryRow,
} from '../../src/documents/legacy-history-page.js';
import { keysOf, legacyFixture, shapeOf, throughJson } from './json-shape.js';

/** The fixture's rows as the history reader returns them: with stock_code, without adjusted_close. */
function storedRows(rows: readonly LegacyHistoryRow[]) {
  return rows.map(({ adjusted_close: _adjusted, ...row }) => ({ stock_code: '2330', ...row }));
}

async function fixturePage(): Promise<{ fixture: Record<string, unknown>; input: LegacyHistoryInput }> {
  const fixture = await legacyFixture('history-page.json');
  const rows = (fixture.data as LegacyHistoryRow[]).map((row) => ({ ...row }));
  return {
    fixture,
    input: { symbol: '2330', from: null, to: null, page: 2, limit: 50, sortBy: 'trade_date', order: 'desc', totalRecords: 1440, rows: storedRows(rows) },
  };
}

describe('the old history page', () => {
  it('parses the fixture, and refuses a key more, a key less or a key of another type', async () => {
    const { fixture } = await fixturePage();
    expect(legacyHistoryPageSchema.parse(fixture)).toEqual(fixture);
    const rows = fixture.data as Array<Record<string, unknown>>;
    const { adjusted_close: _adjusted, ...rowWithout } = rows[0] as Record<string, unknown>;
    for (const changed of [
      { ...fixture, success: true },
      { ...fixture, data: [rowWithout] },
      { ...fixture, data: [{ ...rows[0], stock_code: '2330' }] },
      { ...fixture, data: [{ ...rows[0], volume: 1.5 }] },
      { ...fixture, pagination: { ...(fixture.pagination as object), has_next: 'true' } },
      { ...fixture, pagination: { ...(fixture.pagination as object), limit: 1001 } },
      { ...fixture, query_params: { sort_by: 'trade_date', sort_order: 'desc' } },
    ]) {
      expect(legacyHistoryPageSchema.safeParse(changed).success).toBe(false);
    }
  });

  it("the fixture's paging follows the old arithmetic", async () => {
    const { fixture } = await fixturePage();
    expect(fixture.pagination).toEqual(legacyPagination(2, 50, fixture.total_records as number));
  });
});

describe('legacyPagination', () => {
  it('computes total_pages = ceil(total / limit), has_next = page < total_pages, has_previous = page > 1', () => {
    expect(legacyPagination(2, 50, 1440)).toEqual({ page: 2, limit: 50, total_pages: 29, has_next: true, has_previous: true });
    expect(legacyPagination(1, 50, 123)).toEqual({ page: 1, limit: 50, total_pages: 3, has_next: true, has_previous: false });
    expect(legacyPagination(3, 50, 123)).toEqual({ page: 3, limit: 50, total_pages: 3, has_next: false, has_previous: true });
    expect(legacyPagination(2, 50, 100)).toEqual({ page: 2, limit: 50, total_pages: 2, has_next: false, has_previous: true });
    expect(legacyPagination(1, 50, 0)).toEqual({ page: 1, limit: 50, total_pages: 0, has_next: false, has_previous: false });
    expect(legacyPagination(7, 1000, 1440)).toEqual({ page: 7, limit: 1000, total_pages: 2, has_next: false, has_previous: true });
  });

  it('refuses a page, limit or count that is no count (the 1,000-row cap is the request parser\'s)', () => {
    expect(legacyPagination(1, 3_200, 3_200)).toEqual({ page: 1, limit: 3_200, total_pages: 1, has_next: false, has_previous: false });
    for (const [page, limit, total] of [
      [0, 50, 10],
      [1.5, 50, 10],
      [1, 0, 10],
      [1, 50, -1],
      [1, 50, 0.5],
    ] as const) {
      expect(() => legacyPagination(page, limit, total), `${page} ${limit} ${total}`).toThrow(RangeError);
    }
  });
});

describe('buildLegacyHistoryPage', () => {
  it('reproduces the fixture from the same rows: keys, order, types and values', async () => {
    const { fixture, input } = await fixturePage();
    const built = throughJson(buildLegacyHistoryPage(input));
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(keysOf((built as { data: unknown[] }).data[0])).toEqual(keysOf((fixture.data as unknown[])[0]));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyHistoryPageSchema.parse(built)).toEqual(fixture);
  });

  it('echoes the range asked and says how many rows the page holds', () => {
    const page = buildLegacyHistoryPage({
      symbol: '2330',
      from: '2025-01-01',
      to: undefined,
      page: 1,
      limit: 2,
      sortBy: 'close_price',
      order: 'asc',
      totalRecords: 1,
      rows: [{ trade_date: '2025-01-02', open_price: 1070, high_price: 1075, low_price: 1065, close_price: 1070, volume: 20000 }],
    });
    expect(page.query_params).toEqual({ start_date: '2025-01-01', end_date: null, sort_by: 'close_price', sort_order: 'asc' });
    expect(page.message).toBe('Retrieved 1 records for stock 2330');
    expect(page.data).toEqual([{ trade_date: '2025-01-02', open_price: 1070, high_price: 1075, low_price: 1065, close_price: 1070, volume: 20000, adjusted_close: 1070 }]);
    expect(legacyHistoryPageSchema.parse(page)).toEqual(page);
  });

  it('keeps a NULL value the backend left as null, adjusted_close too', () => {
    const row = toLegacyHistoryRow({ trade_date: '2024-01-03', open_price: null, high_price: 10, low_price: 9, close_price: null, volume: null });
    expect(row).toEqual({ trade_date: '2024-01-03', open_price: null, high_price: 10, low_price: 9, close_price: null, volume: null, adjusted_close: null });
  });
});

describe('buildLegacyHistoryKeys and withAdjustedClose', () => {
  it('give a default document every old key with the old type, beside its own', async () => {
    const { fixture, input } = await fixturePage();
    const keys = buildLegacyHistoryKeys(input);
    expect(legacyHistoryKeysSchema.parse(throughJson(keys))).toEqual(keys);
    const superset = throughJson({
      success: true,
      message: 'its own text',
      stock_code: '2330',
      data: input.rows.map(withAdjustedClose),
      ...keys,
      source: 'node',
    }) as Record<string, unknown>;
    // the old keys of the document, and of each row, with their old types
    const old = Object.fromEntries(keysOf(fixture).map((key) => [key, superset[key]]));
    const rowKeys = keysOf((fixture.data as unknown[])[0]);
    old.data = (superset.data as Array<Record<string, unknown>>).map((row) => Object.fromEntries(rowKeys.map((key) => [key, row[key]])));
    expect(shapeOf(old)).toBe(shapeOf(fixture));
    expect((superset.data as Array<Record<string, unknown>>)[0]).toMatchObject({ stock_code: '2330', adjusted_close: (fixture.data as LegacyHistoryRow[])[0]?.close_price });
  });
});
