import { CompiledQuery, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import { storedTradeDate, tradingDay, type TradeDateKind } from '../schema/trade-date-sql.js';

/** One symbol's stored span. Days are trading days as stored, 'YYYY-MM-DD'. */
export interface SymbolSpan {
  stock_code: string;
  /** Oldest stored bar. */
  first: string;
  /** Newest stored bar. */
  last: string;
  /** Stored bars in all, weekend-dated ones included. */
  bars: number;
}

/** What one pass over the stored bars of a set of symbols tells about completeness. */
export interface Coverage {
  /** Per symbol that has rows; symbols without any are absent. */
  spans: Map<string, SymbolSpan>;
  /** Per stored day, how many of the symbols have a bar on it. */
  barsPerDay: Map<string, number>;
}

/** The read queries completeness needs, on either trade_date flavour. */
export interface CompletenessReader {
  /** One scan of the symbols' rows: each symbol's span and bar count, and the number of bars per day. */
  coverage(symbols: readonly string[]): Promise<Coverage>;
  /** Per symbol, how many bars it has on the given days (symbols with none are absent); index probes, no scan. */
  barsOnDays(symbols: readonly string[], days: readonly string[]): Promise<Map<string, number>>;
  /** Every stored day of each symbol, oldest first (symbols without rows are absent). */
  storedDays(symbols: readonly string[]): Promise<Map<string, string[]>>;
}

/**
 * Binds the completeness reads to `db`, whose stock_daily_data.trade_date is of `kind`
 * (DailyBarsRepository.tradeDateKind). The heavy part is one grouped scan: GROUPING SETS
 * gives the per-symbol and the per-day aggregates from the same pass over the rows, so a
 * store of 2,000 symbols × 1,440 bars is read once, not once per symbol or per day.
 */
export function createCompletenessReader(db: Kysely<any>, kind: TradeDateKind): CompletenessReader {
  const statements = completenessSql(kind);
  const run = async <R>(text: string, parameters: unknown[]): Promise<R[]> => {
    try {
      return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
    } catch (error) {
      return rethrowUnavailable(error);
    }
  };

  return {
    async coverage(symbols) {
      if (symbols.length === 0) return { spans: new Map(), barsPerDay: new Map() };
      return foldCoverage(await run<CoverageRow>(statements.coverage, [toPgArrayLiteral([...new Set(symbols)])]));
    },

    async barsOnDays(symbols, days) {
      if (symbols.length === 0 || days.length === 0) return new Map();
      const rows = await run<{ code: string; bars: number }>(statements.onDays, [toPgArrayLiteral([...symbols]), toPgArrayLiteral([...days])]);
      return new Map(rows.map((row) => [row.code, row.bars]));
    },

    async storedDays(symbols) {
      if (symbols.length === 0) return new Map();
      return daysByCode(await run<{ code: string; day: string }>(statements.storedDays, [toPgArrayLiteral([...symbols])]));
    },
  };
}

/** The three reads on a trade_date of `kind`. Parameters: $1 the symbols (text[]), and for `onDays` $2 the days (date[]). */
function completenessSql(kind: TradeDateKind): { coverage: string; onDays: string; storedDays: string } {
  const day = tradingDay(kind, 'trade_date');
  return {
    // Grouped on the stored values, converted to days only once per group: nothing is
    // computed per row, which halves the scan on a timestamp column.
    coverage: `
      select stock_code::text as code, to_char(${day}, 'YYYY-MM-DD') as day,
             to_char(${tradingDay(kind, 'min(trade_date)')}, 'YYYY-MM-DD') as first,
             to_char(${tradingDay(kind, 'max(trade_date)')}, 'YYYY-MM-DD') as last,
             count(*)::int as bars
      from stock_daily_data where stock_code = any($1::text[])
      group by grouping sets ((stock_code), (trade_date))`,
    onDays: `
      select b.stock_code::text as code, count(*)::int as bars
      from unnest($2::date[]) as u(d)
      join stock_daily_data as b
        on b.trade_date >= ${storedTradeDate(kind, 'u.d')} and b.trade_date < ${storedTradeDate(kind, 'u.d + 1')}
      where b.stock_code = any($1::text[])
      group by b.stock_code`,
    storedDays: `
      select stock_code::text as code, to_char(${day}, 'YYYY-MM-DD') as day
      from stock_daily_data where stock_code = any($1::text[])
      order by stock_code, trade_date`,
  };
}

/** The grouping-sets rows → each symbol's span (rows with a code) and the bars of each day (rows with a day). */
function foldCoverage(rows: readonly CoverageRow[]): Coverage {
  const spans = new Map<string, SymbolSpan>();
  const barsPerDay = new Map<string, number>();
  for (const row of rows) {
    if (row.code !== null) {
      spans.set(row.code, { stock_code: row.code, first: row.first, last: row.last, bars: row.bars });
    } else if (row.day !== null) {
      // A timestamp column may hold two instants of one day (not midnight UTC): add them up.
      barsPerDay.set(row.day, (barsPerDay.get(row.day) ?? 0) + row.bars);
    }
  }
  return { spans, barsPerDay };
}

/** Rows ordered by code then day → each code's days, in that order. */
function daysByCode(rows: readonly { code: string; day: string }[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const row of rows) {
    const list = result.get(row.code);
    if (list === undefined) result.set(row.code, [row.day]);
    else list.push(row.day);
  }
  return result;
}

interface CoverageRow {
  code: string | null;
  day: string | null;
  first: string;
  last: string;
  bars: number;
}
