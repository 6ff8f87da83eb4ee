import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import { isCreatedByCrawler } from '../schema/table-owner.js';

/** Placeholder market of a symbol the crawler adds; the backend's sync overwrites it. */
export const UNKNOWN_MARKET = 'UNKNOWN';

/** Reads the symbol universe from `stocks`; adds to it only where the crawler owns the table. */
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
  };
}
