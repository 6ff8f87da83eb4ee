import type { Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { isCreatedByCrawler } from '../schema/table-owner.js';
import { deactivateCodes, insertMissingCodes, readListings, selectActiveCodes, upsertListings } from './stock-statements.js';
import type { StockListing, StockListingInput } from './stock-types.js';

export { UNKNOWN_MARKET, type StockListing, type StockListingInput } from './stock-types.js';

/**
 * Reads the symbol universe from `stocks`. Codes given by hand are added only where the
 * crawler owns the table; the exchange's listings (a sync) are kept in step in either
 * table, values only: no column is ever added or altered, no row ever deleted.
 */
export interface StocksRepository {
  /**
   * Whether the crawler created `stocks` (migration 0001 marks it) and so may add rows;
   * false for the backend's table, which is only read.
   */
  readonly owned: boolean;
  /**
   * Codes of every active stock, in byte order (collation "C", the same on every server).
   * A NULL is_active counts as active: the backend's column defaults to true, and a row
   * nobody marked inactive is one the backend means to keep.
   */
  activeSymbols(): Promise<string[]>;
  /**
   * In a crawler-owned table, inserts the codes it lacks (stock_name = the code, market
   * 'UNKNOWN', active) and returns them sorted; in the backend's table does nothing and
   * returns no codes.
   */
  ensureSymbols(symbols: readonly string[]): Promise<{ added: string[] }>;
  /** Every row, in byte order of code. */
  listings(): Promise<StockListing[]>;
  /**
   * Keeps rows in step with the exchange's listings: inserts the codes missing (active),
   * updates name, market and industry where they differ and reactivates inactive ones (a
   * relisting), with updated_at = now(); rows already equal are not touched. Returns the
   * codes inserted and updated, sorted.
   */
  applyListings(listings: readonly StockListingInput[]): Promise<{ inserted: string[]; updated: string[] }>;
  /** A delisting: is_active = false on the active ones of `codes` (rows are never deleted); returns those codes, sorted. */
  deactivate(codes: readonly string[]): Promise<string[]>;
}

/** Looks once at who owns `stocks` and binds the repository to `db`. */
export async function createStocksRepository(db: Kysely<any>): Promise<StocksRepository> {
  const owned = await guarded(isCreatedByCrawler(db, 'stocks'));
  return {
    owned,
    activeSymbols: () => guarded(selectActiveCodes(db)),
    // The backend's table is only read: codes given by hand are not added to it.
    ensureSymbols: async (symbols) => (owned ? guarded(insertMissingCodes(db, symbols)) : { added: [] }),
    listings: () => guarded(readListings(db)),
    applyListings: (listings) => guarded(upsertListings(db, listings)),
    deactivate: (codes) => guarded(deactivateCodes(db, codes)),
  };
}

/** Driver failures that mean "the database is gone" become DatabaseUnavailableError. */
function guarded<T>(work: Promise<T>): Promise<T> {
  return work.catch(rethrowUnavailable);
}
