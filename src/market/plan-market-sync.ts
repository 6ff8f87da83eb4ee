import type { Market } from './market.js';
import type { Listing, Selection } from './select-listings.js';
import type { SourceRefusal } from './source-refusal.js';

/** A page with fewer rows than this share of the last good sync's is refused. */
export const MIN_ROWS_SHARE = 0.5;
/** A sync that would deactivate more than this share of a market's active symbols is refused. */
export const MAX_DELIST_SHARE = 0.05;

/** A code as the database knows it: `stocks` (what the backend reads) first, the crawler's instruments after. */
export interface KnownSymbol {
  code: string;
  name: string;
  market: string;
  industry: string | null;
  active: boolean;
  /** The crawler's record of it, when there is one. */
  instrument: { type: string; isin: string | null; cfi: string | null; listedDate: string | null } | null;
}

/** What a sync did to one listed code. */
export type ListingChange = 'added' | 'relisted' | 'renamed' | 'updated' | 'unchanged';

/** Counts of a sync: each kept listing falls in exactly one of the first five. */
export interface ChangeCounts {
  added: number;
  relisted: number;
  renamed: number;
  updated: number;
  unchanged: number;
  delisted: number;
}

/** The changes one market's page brings, safe to apply. */
export interface MarketSyncPlan {
  market: Market;
  listings: Listing[];
  /** Codes to mark delisted (inactive), in byte order. */
  delist: string[];
  /** Codes listed again after a delisting, in byte order. */
  relisted: string[];
  counts: ChangeCounts;
  /** Active symbols of the market before the sync. */
  activeBefore: number;
}

export type MarketSyncDecision = { ok: true; plan: MarketSyncPlan } | { ok: false; refusal: SourceRefusal };

export interface MarketSyncInput {
  market: Market;
  selection: Selection;
  /** Rows of the market's last good sync; null before the first one. */
  lastGoodRows: number | null;
  known: ReadonlyMap<string, KnownSymbol>;
  /** Codes listed on the other markets' pages of this run: moved there, not delisted. */
  listedElsewhere: ReadonlySet<string>;
  /** Apply a sync that deactivates more than {@link MAX_DELIST_SHARE} of the market. */
  allowMassDelist: boolean;
}

/**
 * Decides what one market's page changes, or refuses it (pure). Refused: a table with
 * fewer than half the rows of the last good sync (`shrunk`), or one that would deactivate
 * more than 5 % of the market's active symbols (`mass_delist`, unless allowed) — a page cut
 * short or a changed layout must not wipe the universe. A code is delisted when it is
 * active in this market and listed on no page of the run, whatever its type there.
 */
export function planMarketSync(input: MarketSyncInput): MarketSyncDecision {
  const { market, selection, known } = input;
  const rows = selection.counts.rows;
  if (input.lastGoodRows !== null && rows < input.lastGoodRows * MIN_ROWS_SHARE) {
    return refuse('shrunk', `the ${market} table has ${rows} rows, fewer than half the ${input.lastGoodRows} of the last good sync`);
  }
  let activeBefore = 0;
  const delist: string[] = [];
  for (const symbol of known.values()) {
    if (symbol.market !== market || !symbol.active) continue;
    activeBefore += 1;
    if (!selection.listed.has(symbol.code) && !input.listedElsewhere.has(symbol.code)) delist.push(symbol.code);
  }
  delist.sort(byteOrder);
  if (!input.allowMassDelist && delist.length > activeBefore * MAX_DELIST_SHARE) {
    const sample = delist.slice(0, 5).join(', ') + (delist.length > 5 ? ', …' : '');
    return refuse(
      'mass_delist',
      `the ${market} table would deactivate ${delist.length} of ${activeBefore} active symbols (more than ` +
        `${MAX_DELIST_SHARE * 100} %: ${sample}); --allow-mass-delist applies it`,
    );
  }
  const counts: ChangeCounts = { added: 0, relisted: 0, renamed: 0, updated: 0, unchanged: 0, delisted: delist.length };
  const relisted: string[] = [];
  for (const listing of selection.listings) {
    const change = changeOf(listing, known.get(listing.code));
    counts[change] += 1;
    if (change === 'relisted') relisted.push(listing.code);
  }
  relisted.sort(byteOrder);
  return { ok: true, plan: { market, listings: selection.listings, delist, relisted, counts, activeBefore } };
}

/** How a listing differs from what is known of its code. */
export function changeOf(listing: Listing, known: KnownSymbol | undefined): ListingChange {
  if (known === undefined) return 'added';
  if (!known.active) return 'relisted';
  if (known.name !== listing.name) return 'renamed';
  const instrument = known.instrument;
  const moved = known.market !== listing.market || known.industry !== listing.industry;
  const reclassified =
    instrument !== null &&
    (instrument.type !== listing.type ||
      instrument.isin !== listing.isin ||
      instrument.cfi !== listing.cfi ||
      instrument.listedDate !== listing.listedDate);
  return moved || reclassified ? 'updated' : 'unchanged';
}

/**
 * Active symbols per market once `plans` are applied to `known` (pure): what `stocks`
 * holds afterwards, or would hold after a dry run.
 */
export function activeAfter(known: ReadonlyMap<string, KnownSymbol>, plans: readonly MarketSyncPlan[]): Record<Market, number> {
  const state = new Map<string, { market: string; active: boolean }>();
  for (const symbol of known.values()) state.set(symbol.code, { market: symbol.market, active: symbol.active });
  for (const plan of plans) for (const code of plan.delist) state.set(code, { market: state.get(code)?.market ?? plan.market, active: false });
  for (const plan of plans) for (const listing of plan.listings) state.set(listing.code, { market: listing.market, active: true });
  const active: Record<Market, number> = { TSE: 0, TPEx: 0 };
  for (const { market, active: isActive } of state.values()) {
    if (isActive && (market === 'TSE' || market === 'TPEx')) active[market] += 1;
  }
  return active;
}

/** Builds the known-symbol map from the rows of `stocks` and of the crawler's instruments. */
export function knownSymbols(
  stocks: ReadonlyArray<{ code: string; name: string; market: string; industry: string | null; active: boolean }>,
  instruments: ReadonlyArray<{
    code: string;
    name: string;
    market: string;
    type: string;
    isin: string | null;
    cfi: string | null;
    industry: string | null;
    listedDate: string | null;
    delistedDate: string | null;
  }>,
): Map<string, KnownSymbol> {
  const known = new Map<string, KnownSymbol>();
  for (const row of instruments) {
    known.set(row.code, {
      code: row.code,
      name: row.name,
      market: row.market,
      industry: row.industry,
      active: row.delistedDate === null,
      instrument: { type: row.type, isin: row.isin, cfi: row.cfi, listedDate: row.listedDate },
    });
  }
  // stocks is what the backend and `update` read: its values are the ones to compare with.
  for (const row of stocks) {
    known.set(row.code, {
      code: row.code,
      name: row.name,
      market: row.market,
      industry: row.industry,
      active: row.active,
      instrument: known.get(row.code)?.instrument ?? null,
    });
  }
  return known;
}

function refuse(reason: SourceRefusal['reason'], message: string): MarketSyncDecision {
  return { ok: false, refusal: { reason, message } };
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
