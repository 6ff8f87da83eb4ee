import { sql, type Kysely } from 'kysely';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import { UNKNOWN_MARKET, type StockListing, type StockListingInput } from './stock-types.js';

/*
 * The statements behind the stocks repository, one per operation, each a single statement
 * (no transaction of its own: a caller's transaction holds them together). Codes come back
 * in byte order (collation "C", the same on every server).
 */

/** Codes of the rows whose is_active is not false (a NULL counts as active), in byte order. */
export async function selectActiveCodes(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ stock_code: string }>`
    select stock_code from stocks
    where is_active is not false
    order by stock_code collate "C"`.execute(db);
  return rows.map((row) => row.stock_code);
}

/** Inserts the codes `stocks` lacks (stock_name = the code, market 'UNKNOWN', active); returns them sorted. */
export async function insertMissingCodes(db: Kysely<any>, codes: readonly string[]): Promise<{ added: string[] }> {
  const wanted = [...new Set(codes)];
  if (wanted.length === 0) return { added: [] };
  const { rows } = await sql<{ stock_code: string }>`
    insert into stocks (stock_code, stock_name, market)
    select code, code, ${UNKNOWN_MARKET} from unnest(${toPgArrayLiteral(wanted)}::text[]) as s(code)
    -- Offer only missing codes: every row offered to ON CONFLICT draws a serial id.
    where not exists (select 1 from stocks as e where e.stock_code = s.code)
    on conflict (stock_code) do nothing
    returning stock_code`.execute(db);
  return { added: rows.map((row) => row.stock_code).sort() };
}

/** Every row as a sync compares it, in byte order of code. */
export async function readListings(db: Kysely<any>): Promise<StockListing[]> {
  const { rows } = await sql<StockListing>`
    select stock_code as code, stock_name as name, market, nullif(industry, '') as industry,
           is_active is not false as active
    from stocks order by stock_code collate "C"`.execute(db);
  return rows;
}

/**
 * One statement: updates the rows of `listings` that differ (or are inactive) and inserts
 * the missing ones, both active with updated_at = now(); returns the codes of each, sorted.
 */
export async function upsertListings(
  db: Kysely<any>,
  listings: readonly StockListingInput[],
): Promise<{ inserted: string[]; updated: string[] }> {
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
    select stock_code, 'inserted' as action from inserted`.execute(db);
  const pick = (action: string): string[] => rows.filter((row) => row.action === action).map((row) => row.stock_code).sort();
  return { inserted: pick('inserted'), updated: pick('updated') };
}

/** is_active = false on the active rows of `codes` (never a delete); returns those codes, sorted. */
export async function deactivateCodes(db: Kysely<any>, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const { rows } = await sql<{ stock_code: string }>`
    update stocks set is_active = false, updated_at = now()
    where stock_code = any(${toPgArrayLiteral([...codes])}::text[]) and is_active is not false
    returning stock_code`.execute(db);
  return rows.map((row) => row.stock_code).sort();
}
