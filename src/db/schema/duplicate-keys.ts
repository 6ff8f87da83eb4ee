import { sql, type Kysely } from 'kysely';
import { storedTradeDateText, type TradeDateKind } from './trade-date-sql.js';

/** One (stock_code, trade_date) key held by more than one row. */
export interface DuplicateKey {
  stock_code: string;
  /** The stored value, zone-independent ('2024-01-02' or '2024-01-02T00:00:00Z'). */
  trade_date: string;
  count: number;
}

/**
 * Lists every (stock_code, trade_date) key of stock_daily_data held by more than one row,
 * compared exactly as a unique key would compare them. Read-only: the crawler reports
 * twins, it never deletes them.
 */
export async function findDuplicateKeys(db: Kysely<any>, kind: TradeDateKind): Promise<DuplicateKey[]> {
  const { rows } = await sql<DuplicateKey>`
    select stock_code, ${sql.raw(storedTradeDateText(kind, 'trade_date'))} as trade_date, count(*)::int as count
    from stock_daily_data
    group by stock_code, trade_date
    having count(*) > 1
    order by stock_code, trade_date`.execute(db);
  return rows;
}
