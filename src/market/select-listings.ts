import { SYMBOL_PATTERN } from '../validate/symbol.js';
import { instrumentTypeOf, type InstrumentType } from './instrument-type.js';
import type { Market } from './market.js';
import type { IsinPage } from './parse-isin-page.js';

/** One instrument as the exchange lists it, ready to store. */
export interface Listing {
  code: string;
  name: string;
  market: Market;
  type: InstrumentType;
  isin: string | null;
  cfi: string | null;
  industry: string | null;
  /** `YYYY-MM-DD`. */
  listedDate: string | null;
}

/** What one page held, as the sync reports it per source. */
export interface PageCounts {
  /** Instrument rows in the table. */
  rows: number;
  /** Rows kept: a selected type, a valid code, a name, the first of its code. */
  kept: number;
  /** Rows not kept, by type (`warrant`, `etn`, `other`…) or `duplicate` / `malformed`. */
  skipped: Record<string, number>;
  /** Rows of a selected type whose code breaks the symbol rule (or that have no name): never stored. */
  invalid: number;
}

/** The rows of one page worth storing, and every code the page lists. */
export interface Selection {
  listings: Listing[];
  /** Every code on the page, whatever its type: a code listed here is not delisted. */
  listed: ReadonlySet<string>;
  counts: PageCounts;
}

// The backend's stocks columns are varchar(255) and varchar(100); a longer value would
// fail the whole market's write, so it is cut (and compared) at that length.
const NAME_MAX = 255;
const INDUSTRY_MAX = 100;

/** Picks the rows of the selected `types` from a page of `market` (pure). */
export function selectListings(page: IsinPage, market: Market, types: readonly InstrumentType[]): Selection {
  const listings: Listing[] = [];
  const listed = new Set<string>();
  const kept = new Set<string>();
  const skipped: Record<string, number> = {};
  const skip = (why: string): void => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  let invalid = 0;
  for (const row of page.rows) {
    listed.add(row.code);
    const type = instrumentTypeOf(row.cfi ?? '', row.section);
    if (!types.includes(type)) {
      skip(type);
      continue;
    }
    if (!SYMBOL_PATTERN.test(row.code) || row.name === '') {
      invalid += 1;
      continue;
    }
    if (kept.has(row.code)) {
      skip('duplicate');
      continue;
    }
    kept.add(row.code);
    listings.push({
      code: row.code,
      name: row.name.slice(0, NAME_MAX),
      market,
      type,
      isin: row.isin,
      cfi: row.cfi,
      industry: row.industry?.slice(0, INDUSTRY_MAX) ?? null,
      listedDate: row.listedDate,
    });
  }
  if (page.malformed > 0) skipped.malformed = page.malformed;
  return { listings, listed, counts: { rows: page.rows.length, kept: listings.length, skipped, invalid } };
}
