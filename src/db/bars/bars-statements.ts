import { tradingDay, type TradeDateKind } from '../schema/trade-date-sql.js';
import { VALUE_COLUMNS } from './upsert-bars-sql.js';

/** The repository's read statements, built once for the table's flavour of trade_date. */
export interface BarsReadStatements {
  /** $1 codes text[], $2 bars per symbol: each symbol's newest bars, oldest first. */
  recent: string;
  /** $1 code: its newest trading day. */
  latestOne: string;
  /** $1 codes text[]: each one's newest trading day. */
  latestMany: string;
  /** Every symbol's newest trading day. */
  latestAll: string;
}

/** The read statements for a trade_date of `kind`; trading days come back as 'YYYY-MM-DD' whatever the column holds. */
export function barsReadStatements(kind: TradeDateKind): BarsReadStatements {
  return {
    recent: `select s.code as stock_code, to_char(${tradingDay(kind, 'b.trade_date')}, 'YYYY-MM-DD') as trade_date,
             ${VALUE_COLUMNS.map((column) => `b.${column}`).join(', ')}, b.data_quality
      from unnest($1::text[]) with ordinality as s(code, ord)
      cross join lateral (select * from stock_daily_data where stock_code = s.code
                          order by trade_date desc limit $2) as b
      order by s.ord, b.trade_date`,
    latestOne: `select to_char(${tradingDay(kind, 'max(trade_date)')}, 'YYYY-MM-DD') as day
      from stock_daily_data where stock_code = $1`,
    latestMany: `select s.code as stock_code, to_char(${tradingDay(kind, 'l.latest')}, 'YYYY-MM-DD') as day
      from unnest($1::text[]) as s(code)
      cross join lateral (select max(trade_date) as latest from stock_daily_data where stock_code = s.code) as l
      where l.latest is not null`,
    // A skip scan over the unique index: one probe per symbol instead of reading every row.
    latestAll: `with recursive codes(code) as (
        (select stock_code::text from stock_daily_data order by stock_code limit 1)
        union all
        select (select d.stock_code::text from stock_daily_data as d where d.stock_code > c.code
                order by d.stock_code limit 1)
        from codes as c where c.code is not null)
      select c.code as stock_code,
             to_char(${tradingDay(kind, '(select max(trade_date) from stock_daily_data where stock_code = c.code)')},
                     'YYYY-MM-DD') as day
      from codes as c where c.code is not null`,
  };
}
