import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';

/** Which symbols `symbols` lists. */
export interface UniverseFilter {
  /** Only these markets (`TSE`, `TPEx`); all when absent or empty. */
  markets?: readonly string[] | undefined;
  /** Only these instrument types (`stock`, `etf`…); all when absent or empty. A code no sync has typed has no type and is left out. */
  types?: readonly string[] | undefined;
  /** Inactive (delisted) symbols too; default false. */
  all?: boolean | undefined;
}

/** One symbol of the universe: its `stocks` row and what the crawler knows of it. */
export interface UniverseRow {
  stock_code: string;
  stock_name: string;
  market: string;
  /** stock, etf, preferred, tdr…; null for a code no sync has seen. */
  type: string | null;
  industry: string | null;
  isin: string | null;
  cfi: string | null;
  /** `YYYY-MM-DD`. */
  listed_date: string | null;
  is_active: boolean;
  /** `YYYY-MM-DD` a sync found it gone. */
  delisted_date: string | null;
  first_seen: Date | null;
  last_seen: Date | null;
}

/**
 * The universe as `update` crawls it — the rows of `stocks` — with the instrument details
 * of the last sync, in byte order of code. Active only unless `filter.all`.
 */
export async function listUniverse(db: Kysely<any>, filter: UniverseFilter = {}): Promise<UniverseRow[]> {
  const markets = filter.markets !== undefined && filter.markets.length > 0 ? toPgArrayLiteral([...filter.markets]) : null;
  const types = filter.types !== undefined && filter.types.length > 0 ? toPgArrayLiteral([...filter.types]) : null;
  const { rows } = await sql<UniverseRow>`
    select s.stock_code, s.stock_name, s.market, i.type, nullif(s.industry, '') as industry, i.isin, i.cfi,
           i.listed_date, s.is_active is not false as is_active, i.delisted_date, i.first_seen, i.last_seen
    from stocks as s
    left join market_instruments as i on i.code = s.stock_code
    where (${filter.all === true}::boolean or s.is_active is not false)
      and (${markets}::text[] is null or s.market = any(${markets}::text[]))
      and (${types}::text[] is null or i.type = any(${types}::text[]))
    order by s.stock_code collate "C"`
    .execute(db)
    .catch(rethrowUnavailable);
  return rows;
}
