import { CompiledQuery, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { storedTradeDate, tradingDay, type TradeDateKind } from '../schema/trade-date-sql.js';

/** One stored row as verify compares it; null where the column holds NULL. */
export interface StoredRow {
  /** The trading day, 'YYYY-MM-DD', whichever type the column has. */
  trade_date: string;
  open_price: number | null;
  high_price: number | null;
  low_price: number | null;
  close_price: number | null;
  /** Lots (張). */
  volume: number | null;
}

/** Trading days to read, both inclusive, 'YYYY-MM-DD'; open-ended where undefined. */
export interface DayRange {
  from?: string | undefined;
  to?: string | undefined;
}

/** Reads one symbol's rows at a time, so that a whole table is never held in memory. */
export interface SymbolRowsReader {
  /** The symbol's rows in `range`, by day (a table without a unique key may hold a day twice: in id order). */
  rows(symbol: string, range: DayRange): Promise<StoredRow[]>;
}

/**
 * The statement reading one symbol's rows between two trading days from a stock_daily_data
 * whose trade_date is of `kind`. Parameters: $1 symbol, $2 first day or null, $3 last day
 * or null. Values come back as float8, so that any driver returns plain numbers; the bounds
 * are turned into stored values, so the (stock_code, trade_date) index serves the range.
 */
export function symbolRowsSql(kind: TradeDateKind): string {
  return `
    select to_char(${tradingDay(kind, 'trade_date')}, 'YYYY-MM-DD') as trade_date,
           open_price::float8 as open_price, high_price::float8 as high_price,
           low_price::float8 as low_price, close_price::float8 as close_price, volume::float8 as volume
    from stock_daily_data
    where stock_code = $1
      and ($2::date is null or trade_date >= ${storedTradeDate(kind, '$2::date')})
      and ($3::date is null or trade_date < ${storedTradeDate(kind, '$3::date + 1')})
    order by trade_date, id`;
}

/** {@link SymbolRowsReader} over the crawler's own database (Kysely, pg or PGlite). */
export function createSymbolRowsReader(db: Kysely<any>, kind: TradeDateKind): SymbolRowsReader {
  const text = symbolRowsSql(kind);
  return {
    async rows(symbol, range) {
      try {
        const result = await db.executeQuery<StoredRow>(CompiledQuery.raw(text, [symbol, range.from ?? null, range.to ?? null]));
        return result.rows;
      } catch (error) {
        return rethrowUnavailable(error);
      }
    },
  };
}
