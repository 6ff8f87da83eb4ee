import { describe, expect, it } from 'vitest';
import { decodePage } from '../../src/market/decode-page.js';
import { parseIsinPage, type IsinPage, type IsinRow } from '../../src/market/parse-isin-page.js';
import { selectListings } from '../../src/market/select-listings.js';
import { DEFAULT_SYMBOL_TYPES } from '../support/defaults.js';
import { readFixture } from '../support/fixtures.js';

function page(name: string): IsinPage {
  const result = parseIsinPage(decodePage(readFixture(`market/${name}`)));
  if (!result.ok) throw new Error(result.refusal.message);
  return result.page;
}

const row = (code: string, overrides: Partial<IsinRow> = {}): IsinRow => ({
  code,
  name: `name ${code}`,
  isin: null,
  listedDate: null,
  industry: null,
  cfi: 'ESVUFR',
  section: '股票',
  ...overrides,
});

describe('selectListings', () => {
  it('keeps stocks, ETFs (6-digit and leveraged), preferred shares and TDRs; counts the rest by type', () => {
    const { listings, counts, listed } = selectListings(page('isin-tse.html'), 'TSE', DEFAULT_SYMBOL_TYPES);
    expect(counts).toEqual({ rows: 43, kept: 32, skipped: { other: 1, warrant: 8, etn: 1 }, invalid: 1 });
    const byCode = new Map(listings.map((listing) => [listing.code, listing]));
    expect(byCode.get('2330')).toEqual({
      code: '2330',
      name: '台積電',
      market: 'TSE',
      type: 'stock',
      isin: 'TW0002330001',
      cfi: 'ESVUFR',
      industry: '半導體業',
      listedDate: '1994-09-05',
    });
    expect(byCode.get('006208')?.type).toBe('etf');
    expect(byCode.get('00631L')?.type).toBe('etf');
    expect(byCode.get('2881A')?.type).toBe('preferred');
    expect(byCode.get('910322')?.type).toBe('tdr');
    // Never stored: a warrant, a REIT, an ETN, and the code that breaks the symbol rule.
    for (const code of ['030001', '03001P', '01001T', '020000', '12345678']) expect(byCode.has(code)).toBe(false);
    // …but every code on the page counts as listed, so none of them reads as delisted.
    for (const code of ['030001', '01001T', '12345678', '2330']) expect(listed.has(code)).toBe(true);
  });

  it('keeps what symbolTypes selects, warrants included when asked', () => {
    const { counts, listings } = selectListings(page('isin-tpex.html'), 'TPEx', ['etf', 'warrant']);
    expect(counts).toEqual({ rows: 17, kept: 5, skipped: { stock: 12 }, invalid: 0 });
    expect(listings.map((listing) => `${listing.code}:${listing.type}`)).toEqual([
      '006201:etf', '00679B:etf', '70286P:warrant', '70299P:warrant', '730001:warrant',
    ]);
  });

  it('counts a row of a kept type without a name as invalid, and a repeated code once', () => {
    const selection = selectListings({ rows: [row('2330'), row('2330'), row('2317', { name: '' }), row('23a0')], malformed: 2 }, 'TSE', ['stock']);
    expect(selection.listings.map((listing) => listing.code)).toEqual(['2330']);
    expect(selection.counts).toEqual({ rows: 4, kept: 1, skipped: { duplicate: 1, malformed: 2 }, invalid: 2 });
  });

  it('cuts a name and an industry to the lengths the backend’s columns hold', () => {
    const [listing] = selectListings({ rows: [row('2330', { name: 'n'.repeat(300), industry: 'i'.repeat(150) })], malformed: 0 }, 'TSE', ['stock']).listings;
    expect(listing?.name).toHaveLength(255);
    expect(listing?.industry).toHaveLength(100);
  });
});
