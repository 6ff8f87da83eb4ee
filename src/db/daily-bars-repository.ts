import { CompiledQuery, type Kysely } from 'kysely';
import { CrawlerError, SchemaError } from '../errors.js';
import type { DailyBar } from '../validate/daily-bar.js';
import { hasUniqueKeyOn, tableColumns, tableIndexes } from './catalog.js';
import { toPgArrayLiteral } from './pg-array.js';
import type { Database } from './schema.js';
import { tradeDateKind, tradingDay, type TradeDateKind } from './trade-date-sql.js';
import { buildUpsertSql, VALUE_COLUMNS, type ValueColumn } from './upsert-bars-sql.js';

/** What saving a batch did, row by row of the (deduplicated) input. */
export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** Reads and writes stock_daily_data in whichever flavour the database has. */
export interface DailyBarsRepository {
  /** `crawler`: trade_date is a date; `legacy`: the backend's timestamp at midnight UTC. */
  readonly flavour: 'crawler' | 'legacy';
  readonly tradeDateKind: TradeDateKind;
  /**
   * Saves bars in one statement: inserts new days, updates days whose values changed,
   * leaves the rest (and every backend-computed column) alone. One statement is atomic
   * on its own; several calls are atomic together inside a transaction (see withExecutor).
   * `source` (the mirror's name) goes to data_source. A repeated (stock_code, trade_date)
   * in the input counts once, the last one wins.
   */
  upsertBars(bars: readonly DailyBar[], source: string): Promise<UpsertCounts>;
  /** Newest stored trading day of a symbol, 'YYYY-MM-DD', or null when it has none. */
  latestTradeDate(symbol: string): Promise<string | null>;
  /** Newest stored trading day per symbol (only symbols with rows), in one query; all symbols when omitted. */
  latestTradeDates(symbols?: readonly string[]): Promise<Map<string, string>>;
  /** The same repository running its statements on `executor`, e.g. a transaction. */
  withExecutor(executor: Kysely<Database>): DailyBarsRepository;
}

const REQUIRED_COLUMNS = ['stock_code', 'trade_date', ...VALUE_COLUMNS, 'data_source', 'data_quality'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Inspects stock_daily_data once and builds the statements for its flavour.
 * @throws SchemaError when the table, a needed column or the unique key is missing.
 */
export async function createDailyBarsRepository(db: Kysely<Database>): Promise<DailyBarsRepository> {
  const columns = await tableColumns(db, 'stock_daily_data');
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new SchemaError(
      columns.size === 0
        ? 'stock_daily_data does not exist; run `stock-crawler migrate`'
        : `stock_daily_data lacks ${missing.join(', ')}`,
    );
  }
  const kind = tradeDateKind(columns.get('trade_date'));
  if (kind === undefined) throw new SchemaError(`stock_daily_data.trade_date has type ${columns.get('trade_date')}`);
  if (!hasUniqueKeyOn(await tableIndexes(db, 'stock_daily_data'), ['stock_code', 'trade_date'])) {
    throw new SchemaError('stock_daily_data has no unique key on (stock_code, trade_date); run `stock-crawler migrate`');
  }
  const valueTypes = Object.fromEntries(VALUE_COLUMNS.map((c) => [c, columns.get(c) ?? ''])) as Record<ValueColumn, string>;
  let upsertSql: string;
  try {
    upsertSql = buildUpsertSql({ tradeDate: kind, valueTypes, hasUpdatedAt: columns.has('updated_at') });
  } catch (error) {
    throw new SchemaError(`stock_daily_data cannot be written: ${(error as Error).message}`, { cause: error });
  }
  const statements: Statements = {
    upsert: upsertSql,
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
  return bind(db, kind, statements);
}

interface Statements {
  upsert: string;
  latestOne: string;
  latestMany: string;
  latestAll: string;
}

function bind(db: Kysely<Database>, kind: TradeDateKind, statements: Statements): DailyBarsRepository {
  const run = async <R>(text: string, parameters: unknown[]): Promise<R[]> =>
    (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;

  return {
    flavour: kind === 'date' ? 'crawler' : 'legacy',
    tradeDateKind: kind,

    async upsertBars(bars, source) {
      const unique = [...new Map(bars.map((bar) => [`${bar.stock_code}\u0000${bar.trade_date}`, bar])).values()];
      if (unique.length === 0) return { created: 0, updated: 0, unchanged: 0 };
      const [row] = await run<{ created: number; updated: number }>(statements.upsert, toParameters(unique, source));
      const created = row?.created ?? 0;
      const updated = row?.updated ?? 0;
      return { created, updated, unchanged: unique.length - created - updated };
    },

    async latestTradeDate(symbol) {
      const [row] = await run<{ day: string | null }>(statements.latestOne, [symbol]);
      return row?.day ?? null;
    },

    async latestTradeDates(symbols) {
      if (symbols !== undefined && symbols.length === 0) return new Map();
      const rows =
        symbols === undefined
          ? await run<{ stock_code: string; day: string }>(statements.latestAll, [])
          : await run<{ stock_code: string; day: string }>(statements.latestMany, [toPgArrayLiteral(symbols)]);
      return new Map(rows.map((row) => [row.stock_code, row.day]));
    },

    withExecutor(executor) {
      return bind(executor, kind, statements);
    },
  };
}

/** Columns of the batch as array literals, in the statement's parameter order. */
function toParameters(bars: readonly DailyBar[], source: string): string[] {
  for (const bar of bars) {
    if (!DAY.test(bar.trade_date)) throw internal(bar, `trade_date ${JSON.stringify(bar.trade_date)}`);
    for (const column of VALUE_COLUMNS) {
      // Validation keeps NaN out; one slipping through is a bug, not a value to store as NULL.
      if (!Number.isFinite(bar[column])) throw internal(bar, `${column} ${bar[column]}`);
    }
  }
  return [
    toPgArrayLiteral(bars.map((bar) => bar.stock_code)),
    toPgArrayLiteral(bars.map((bar) => bar.trade_date)),
    ...VALUE_COLUMNS.map((column) => toPgArrayLiteral(bars.map((bar) => bar[column]))),
    toPgArrayLiteral(bars.map((bar) => bar.data_quality)),
    source,
  ];
}

function internal(bar: DailyBar, what: string): CrawlerError {
  return new CrawlerError('E_INTERNAL', `refusing to store ${bar.stock_code}@${bar.trade_date}: invalid ${what}`);
}
