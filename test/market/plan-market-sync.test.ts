import { describe, expect, it } from 'vitest';
import type { Market } from '../../src/market/market.js';
import { activeAfter, changeOf, knownSymbols, planMarketSync, type KnownSymbol } from '../../src/market/plan-market-sync.js';
import type { Listing, Selection } from '../../src/market/select-listings.js';

const listing = (code: string, overrides: Partial<Listing> = {}): Listing => ({
  code,
  name: `n${code}`,
  market: 'TSE',
  type: 'stock',
  isin: `TW${code}`,
  cfi: 'ESVUFR',
  industry: 'ind',
  listedDate: '2000-01-01',
  ...overrides,
});

const known = (code: string, overrides: Partial<KnownSymbol> = {}): KnownSymbol => ({
  code,
  name: `n${code}`,
  market: 'TSE',
  industry: 'ind',
  active: true,
  instrument: { type: 'stock', isin: `TW${code}`, cfi: 'ESVUFR', listedDate: '2000-01-01' },
  ...overrides,
});

function selection(listings: Listing[], extraListed: string[] = [], rows = listings.length + extraListed.length): Selection {
  return {
    listings,
    listed: new Set([...listings.map((l) => l.code), ...extraListed]),
    counts: { rows, kept: listings.length, skipped: {}, invalid: 0 },
  };
}

const codes = (n: number, from = 1000): string[] => Array.from({ length: n }, (_, i) => String(from + i));
const knownMap = (symbols: KnownSymbol[]): Map<string, KnownSymbol> => new Map(symbols.map((s) => [s.code, s]));

function plan(input: { market?: Market; selection: Selection; known?: KnownSymbol[]; lastGoodRows?: number | null; elsewhere?: string[]; allow?: boolean }) {
  return planMarketSync({
    market: input.market ?? 'TSE',
    selection: input.selection,
    known: knownMap(input.known ?? []),
    lastGoodRows: input.lastGoodRows ?? null,
    listedElsewhere: new Set(input.elsewhere ?? []),
    allowMassDelist: input.allow ?? false,
  });
}

describe('planMarketSync', () => {
  it('adds everything on a first sync', () => {
    const decision = plan({ selection: selection(codes(3).map((c) => listing(c))) });
    expect(decision).toMatchObject({
      ok: true,
      plan: { delist: [], relisted: [], activeBefore: 0, counts: { added: 3, relisted: 0, renamed: 0, updated: 0, unchanged: 0, delisted: 0 } },
    });
  });

  it('counts each listing once: renamed, updated (industry, market, instrument details), relisted, unchanged', () => {
    const all = codes(40);
    const stored = all.map((c) => known(c));
    stored[1] = known(all[1]!, { active: false });
    const listings = all.map((c) => listing(c));
    listings[2] = listing(all[2]!, { name: 'renamed' });
    listings[3] = listing(all[3]!, { industry: 'other industry' });
    listings[4] = listing(all[4]!, { cfi: 'ESVUFA' });
    listings[5] = listing(all[5]!, { name: 'renamed', industry: 'other' }); // a rename wins
    const decision = plan({ selection: selection(listings), known: stored });
    expect(decision).toMatchObject({
      ok: true,
      plan: { relisted: [all[1]], counts: { added: 0, relisted: 1, renamed: 2, updated: 2, unchanged: 35, delisted: 0 }, activeBefore: 39 },
    });
  });

  it('delists an active code of the market listed nowhere, up to 5 % of the market', () => {
    const all = codes(40);
    const decision = plan({ selection: selection(all.slice(2).map((c) => listing(c))), known: all.map((c) => known(c)) });
    expect(decision).toMatchObject({ ok: true, plan: { delist: [all[0], all[1]], counts: { delisted: 2 } } });
  });

  it('refuses a sync that would deactivate more than 5 % of the market, unless allowed', () => {
    const all = codes(40);
    const page = selection(all.slice(3).map((c) => listing(c)));
    const refused = plan({ selection: page, known: all.map((c) => known(c)) });
    expect(refused).toMatchObject({ ok: false, refusal: { reason: 'mass_delist' } });
    if (!refused.ok) expect(refused.refusal.message).toContain('3 of 40');
    expect(plan({ selection: page, known: all.map((c) => known(c)), allow: true })).toMatchObject({ ok: true, plan: { counts: { delisted: 3 } } });
  });

  it('does not delist a code still on the page under a type it does not keep, nor one listed on the other market', () => {
    const all = codes(20);
    const page = selection(all.slice(2).map((c) => listing(c)), [all[0]!]);
    const decision = plan({ selection: page, known: all.map((c) => known(c)), elsewhere: [all[1]!] });
    expect(decision).toMatchObject({ ok: true, plan: { delist: [] } });
  });

  it('leaves the other market, inactive rows and placeholder markets alone', () => {
    const stored = [known('1000'), known('2000', { market: 'TPEx' }), known('3000', { active: false }), known('4000', { market: 'UNKNOWN' })];
    const decision = plan({ selection: selection([listing('1000')]), known: stored });
    expect(decision).toMatchObject({ ok: true, plan: { delist: [], activeBefore: 1 } });
  });

  it('refuses a table with fewer than half the rows of the last good sync', () => {
    const page = selection(codes(10).map((c) => listing(c)), [], 49);
    expect(plan({ selection: page, lastGoodRows: 100 })).toMatchObject({ ok: false, refusal: { reason: 'shrunk' } });
    expect(plan({ selection: page, lastGoodRows: 98 }).ok).toBe(true);
    // --allow-mass-delist overrides only the delisting rule.
    expect(plan({ selection: page, lastGoodRows: 100, allow: true })).toMatchObject({ ok: false, refusal: { reason: 'shrunk' } });
  });

  it('counts a symbol moving to this market as updated', () => {
    const decision = plan({ selection: selection([listing('6488')]), known: [known('6488', { market: 'TPEx' })] });
    expect(decision).toMatchObject({ ok: true, plan: { counts: { updated: 1 } } });
  });
});

describe('changeOf', () => {
  it('compares with stocks’ values and, where the crawler has a record, its details', () => {
    expect(changeOf(listing('1000'), undefined)).toBe('added');
    expect(changeOf(listing('1000'), known('1000', { instrument: null }))).toBe('unchanged');
    expect(changeOf(listing('1000', { type: 'etf' }), known('1000'))).toBe('updated');
    expect(changeOf(listing('1000', { listedDate: null }), known('1000'))).toBe('updated');
    expect(changeOf(listing('1000', { industry: null }), known('1000', { industry: null }))).toBe('unchanged');
  });
});

describe('knownSymbols / activeAfter', () => {
  it('prefers stocks’ values and activity, keeping the crawler’s details', () => {
    const map = knownSymbols(
      [{ code: '2330', name: 'from stocks', market: 'TSE', industry: null, active: false }],
      [
        { code: '2330', name: 'from instruments', market: 'TSE', type: 'stock', isin: 'TW1', cfi: 'ESVUFR', industry: 'x', listedDate: null, delistedDate: null },
        { code: '6488', name: 'only here', market: 'TPEx', type: 'stock', isin: null, cfi: null, industry: null, listedDate: null, delistedDate: '2026-01-05' },
      ],
    );
    expect(map.get('2330')).toEqual({
      code: '2330',
      name: 'from stocks',
      market: 'TSE',
      industry: null,
      active: false,
      instrument: { type: 'stock', isin: 'TW1', cfi: 'ESVUFR', listedDate: null },
    });
    expect(map.get('6488')?.active).toBe(false);
  });

  it('projects the active counts per market after the plans', () => {
    const stored = knownMap([known('1000'), known('1001'), known('2000', { market: 'TPEx' }), known('9999', { market: 'UNKNOWN' })]);
    const tse = planMarketSync({ market: 'TSE', selection: selection([listing('1000'), listing('1002'), listing('2000')]), known: stored, lastGoodRows: null, listedElsewhere: new Set(), allowMassDelist: true });
    if (!tse.ok) throw new Error('refused');
    expect(tse.plan.delist).toEqual(['1001']);
    expect(activeAfter(stored, [tse.plan])).toEqual({ TSE: 3, TPEx: 0 });
    expect(activeAfter(stored, [])).toEqual({ TSE: 2, TPEx: 1 });
  });
});
