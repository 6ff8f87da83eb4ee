/* What the stocks repository reads and writes: one row of `stocks`, as a sync sees it and as it writes it. */

/** Placeholder market of a symbol the crawler adds; the backend's sync overwrites it. */
export const UNKNOWN_MARKET = 'UNKNOWN';

/** A row of `stocks` as a sync compares it. */
export interface StockListing {
  code: string;
  name: string;
  market: string;
  /** An empty industry reads as null. */
  industry: string | null;
  /** A NULL is_active reads as active, as in StocksRepository.activeSymbols. */
  active: boolean;
}

/** What a sync writes to one row of `stocks`. */
export interface StockListingInput {
  code: string;
  /** At most 255 characters (the backend's varchar(255)). */
  name: string;
  /** 'TSE' or 'TPEx'. */
  market: string;
  /** At most 100 characters (the backend's varchar(100)). */
  industry: string | null;
}
