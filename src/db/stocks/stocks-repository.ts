import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import { isCreatedByCrawler } from '../schema/table-owner.js';

/** Placeholder market of a symbol the crawler adds; the backend's sync overwrites it. */
export const UNKNOWN_MARKET = 'UNKNOWN';

/** A row of `stocks` as a sync compares it. */
export interface StockListing {
  code: string;
  name: string;
  market: string;
  /** An empty industry reads as null. */
  industry: string | null;
  /** A NULL is_active reads as active, as in {@link StocksRepository.activeSymbols}. */
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
  const owned = await isCreatedByCrawler(db, 'stocks').catch(rethrowUnavailable);
  return {
    owned,

    async activeSymbols() {
      const { rows } = await sql<{ stock_code: string }>`
        select stock_code from stocks
        where is_active is not false
        order by stock_code collate "C"`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows.map((row) => row.stock_code);
    },

    async ensureSymbols(symbols) {
      const wanted = [...new Set(symbols)];
      if (!owned || wanted.length === 0) return { added: [] };
      const { rows } = await sql<{ stock_code: string }>`
        insert into stocks (stock_code, stock_name, market)
        select code, code, ${UNKNOWN_MARKET} from unnest(${toPgArrayLiteral(wanted)}::text[]) as s(code)
        -- Offer only missing codes: every row offered to ON CONFLICT draws a serial id.
        where not exists (select 1 from stocks as e where e.stock_code = s.code)
        on conflict (stock_code) do nothing
        returning stock_code`
        .execute(db)
        .catch(rethrowUnavailable);
      return { added: rows.map((row) => row.stock_code).sort() };
    },

    async listings() {
      const { rows } = await sql<{ code: string; name: string; market: string; industry: string | null; active: boolean }>`
        select stock_code as code, stock_name as name, market, nullif(industry, '') as industry,
               is_active is not false as active
        from stocks order by stock_code collate "C"`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows;
    },

    async applyListings(listings) {
      if (listings.length === 0) return { inserted: [], updated: [] };
      const column = (pick: (listing: StockListingInput) => string | null): string => toPgArrayLiteral(listings.map(pick));
      const { rows } = await sql<{ stock_code: string; action: 'inserted' | 'updated' }>`
        with incoming as (
          select * from unnest(${column((l) => l.code)}::text[], ${column((l) => l.name)}::text[],
                               ${column((l) => l.market)}::text[], ${column((l) => l.industry)}::text[])
                 as i(code, name, market, industry)
        ),
        updated as (
          update stocks as s
          set stock_name = i.name, market = i.market, industry = i.industry, is_active = true, updated_at = now()
          from incoming as i
          where s.stock_code = i.code
            and (s.stock_name is distinct from i.name or s.market is distinct from i.market
                 or nullif(s.industry, '') is distinct from i.industry or s.is_active is false)
          returning s.stock_code
        ),
        inserted as (
          insert into stocks (stock_code, stock_name, market, industry, is_active, updated_at)
          select i.code, i.name, i.market, i.industry, true, now() from incoming as i
          -- Offer only missing codes: every row offered to ON CONFLICT draws a serial id.
          where not exists (select 1 from stocks as e where e.stock_code = i.code)
          on conflict (stock_code) do nothing
          returning stock_code
        )
        select stock_code, 'updated' as action from updated
        union all
        select stock_code, 'inserted' as action from inserted`
        .execute(db)
        .catch(rethrowUnavailable);
      const pick = (action: string): string[] => rows.filter((row) => row.action === action).map((row) => row.stock_code).sort();
      return { inserted: pick('inserted'), updated: pick('updated') };
    },

    async deactivate(codes) {
      if (codes.length === 0) return [];
      const { rows } = await sql<{ stock_code: string }>`
        update stocks set is_active = false, updated_at = now()
        where stock_code = any(${toPgArrayLiteral([...codes])}::text[]) and is_active is not false
        returning stock_code`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows.map((row) => row.stock_code).sort();
    },
  };
}
