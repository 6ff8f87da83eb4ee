import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import { CrawlerError, SchemaError } from '../../errors.js';
import type { DailyBar } from '../../core/daily-bar.js';
import { hasUniqueKeyOn, tableColumns, tableIndexes } from '../schema/catalog.js';
import { copyBars, FRESH_SYMBOLS_SQL } from './copy-bars.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import type { Database } from '../schema/tables.js';
import { tradeDateKind, tradingDay, type TradeDateKind } from '../schema/trade-date-sql.js';
import { buildUpsertSql, VALUE_COLUMNS, type ValueColumn } from './upsert-bars-sql.js';
import { packBars, type PackedBars } from './packed-bars.js';
import { checkBars, dedupeBars, packedUpsertParameters, type SymbolBars } from './upsert-parameters.js';

export type { SymbolBars } from './upsert-parameters.js';

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
  /**
   * Saves several symbols, each with its own mirror, in ONE statement (so atomically
   * together) and reports the counts of each. Symbols must be distinct and every bar's
   * stock_code its group's symbol; repeated days within a symbol count once, the last wins.
   * @throws CrawlerError E_INTERNAL for a bar of another symbol, a repeated symbol or a
   * non-finite value (before any SQL); the driver's error when the statement fails.
   */
  upsertSymbols(groups: readonly SymbolBars[]): Promise<Map<string, UpsertCounts>>;
  /**
   * The same for symbols already checked, deduplicated and packed (see packed-bars.ts):
   * the bar writer's form, which keeps no object per bar.
   * @throws CrawlerError E_INTERNAL for a repeated symbol (before any SQL).
   */
  upsertPacked(groups: readonly PackedBars[]): Promise<Map<string, UpsertCounts>>;
  /**
   * The last `perSymbol` stored bars of each symbol, oldest first, in one query (one
   * backward probe of the unique index per symbol); symbols without rows are absent.
   * trade_date is the trading day ('YYYY-MM-DD') in both flavours; values are numbers,
   * a NULL one (possible in the backend's rows) comes back as NaN so that it never
   * compares equal; a data_quality other than 'weekend' reads as 'valid'.
   */
  recentBars(symbols: readonly string[], perSymbol: number): Promise<Map<string, DailyBar[]>>;
  /** Newest stored trading day of a symbol, 'YYYY-MM-DD', or null when it has none. */
  latestTradeDate(symbol: string): Promise<string | null>;
  /** Newest stored trading day per symbol (only symbols with rows), in one query; all symbols when omitted. */
  latestTradeDates(symbols?: readonly string[]): Promise<Map<string, string>>;
  /** The same repository running its statements on `executor`, e.g. a transaction. */
  withExecutor(executor: Kysely<Database>): DailyBarsRepository;
}

const REQUIRED_COLUMNS = ['stock_code', 'trade_date', ...VALUE_COLUMNS, 'data_source', 'data_quality'];

/** Options for {@link createDailyBarsRepository}. */
export interface DailyBarsRepositoryOptions {
  /**
   * The pg pool behind `db` (server databases only). With it, a large write COPYs the
   * bars of symbols that have no stored row instead of upserting them.
   */
  pool?: pg.Pool | undefined;
  /** Rows a write must hold before the COPY path is considered. Default 2,000. */
  copyMinRows?: number | undefined;
}

/**
 * Inspects stock_daily_data once and builds the statements for its flavour.
 * @throws SchemaError when the table, a needed column or the unique key is missing.
 */
export async function createDailyBarsRepository(
  db: Kysely<Database>,
  options: DailyBarsRepositoryOptions = {},
): Promise<DailyBarsRepository> {
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
    upsertSql = buildUpsertSql({
      tradeDate: kind,
      valueTypes,
      hasUpdatedAt: columns.has('updated_at'),
      skipUnchangedBeforeInsert: columns.get('id') !== 'bigint',
    });
  } catch (error) {
    throw new SchemaError(`stock_daily_data cannot be written: ${(error as Error).message}`, { cause: error });
  }
  const statements: Statements = {
    upsert: upsertSql,
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
  const bulk: Bulk | undefined =
    options.pool === undefined ? undefined : { pool: options.pool, minRows: options.copyMinRows ?? 2_000 };
  return bind(db, kind, statements, bulk);
}

/** The COPY path's pool and threshold; only the repository on the root database has it. */
interface Bulk {
  pool: pg.Pool;
  minRows: number;
}

interface Statements {
  upsert: string;
  recent: string;
  latestOne: string;
  latestMany: string;
  latestAll: string;
}

function bind(db: Kysely<Database>, kind: TradeDateKind, statements: Statements, bulk?: Bulk): DailyBarsRepository {
  const run = async <R>(text: string, parameters: unknown[]): Promise<R[]> =>
    (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;

  /** One statement saving `groups` through `execute`. */
  async function upsertGroups(
    groups: readonly PackedBars[],
    execute: (text: string, parameters: unknown[]) => Promise<SavedRow[]>,
  ): Promise<SavedRow[]> {
    const rows = groups.reduce((sum, group) => sum + group.count, 0);
    return rows === 0 ? [] : execute(statements.upsert, packedUpsertParameters(groups));
  }

  async function upsertPacked(groups: readonly PackedBars[]): Promise<Map<string, UpsertCounts>> {
    const seen = new Set<string>();
    for (const { symbol } of groups) {
      if (seen.has(symbol)) throw new CrawlerError('E_INTERNAL', `symbol ${symbol} given twice in one write`);
      seen.add(symbol);
    }
    const rowCount = groups.reduce((sum, group) => sum + group.count, 0);
    const saved =
      bulk !== undefined && rowCount >= bulk.minRows
        ? await copyOrUpsert(bulk.pool, groups, kind, upsertGroups)
        : await upsertGroups(groups, run<SavedRow>);
    const bySymbol = new Map(saved.map((row) => [row.stock_code, row]));
    return new Map(
      groups.map(({ symbol, count }) => {
        const created = bySymbol.get(symbol)?.created ?? 0;
        const updated = bySymbol.get(symbol)?.updated ?? 0;
        return [symbol, { created, updated, unchanged: count - created - updated }];
      }),
    );
  }

  return {
    flavour: kind === 'date' ? 'crawler' : 'legacy',
    tradeDateKind: kind,

    async upsertBars(bars, source) {
      checkBars(bars);
      const bySymbol = new Map<string, DailyBar[]>();
      for (const bar of dedupeBars(bars)) {
        const list = bySymbol.get(bar.stock_code);
        if (list === undefined) bySymbol.set(bar.stock_code, [bar]);
        else list.push(bar);
      }
      const counts = await upsertPacked([...bySymbol].map(([symbol, group]) => packBars({ symbol, bars: group, source })));
      const total: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };
      for (const { created, updated, unchanged } of counts.values()) {
        total.created += created;
        total.updated += updated;
        total.unchanged += unchanged;
      }
      return total;
    },

    async upsertSymbols(groups) {
      const packed = groups.map(({ symbol, bars, source }) => {
        checkBars(bars, symbol);
        return packBars({ symbol, bars: dedupeBars(bars), source });
      });
      return upsertPacked(packed);
    },

    upsertPacked,

    async recentBars(symbols, perSymbol) {
      const wanted = [...new Set(symbols)];
      const result = new Map<string, DailyBar[]>();
      if (wanted.length === 0 || perSymbol <= 0) return result;
      const rows = await run<RecentRow>(statements.recent, [toPgArrayLiteral(wanted), Math.floor(perSymbol)]);
      for (const row of rows) {
        const bar: DailyBar = {
          stock_code: row.stock_code,
          trade_date: row.trade_date,
          open_price: row.open_price ?? Number.NaN,
          high_price: row.high_price ?? Number.NaN,
          low_price: row.low_price ?? Number.NaN,
          close_price: row.close_price ?? Number.NaN,
          volume: row.volume ?? Number.NaN,
          data_quality: row.data_quality === 'weekend' ? 'weekend' : 'valid',
        };
        const list = result.get(row.stock_code);
        if (list === undefined) result.set(row.stock_code, [bar]);
        else list.push(bar);
      }
      return result;
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
      // A transaction's statements must run on its own connection: no COPY on the side.
      return executor === db ? this : bind(executor, kind, statements);
    },
  };
}

/**
 * Saves a large batch in one transaction on a connection of its own: the bars of symbols
 * with no stored row go in by COPY (about twice as fast as INSERT … ON CONFLICT on a
 * backfill, and nothing to conflict with), the rest through the upsert statement. Should
 * another writer add rows between the probe and the COPY, the unique key stops the COPY
 * and the whole transaction rolls back; the bar writer then saves each symbol alone, and
 * the probe sees those rows.
 */
async function copyOrUpsert(
  pool: pg.Pool,
  groups: readonly PackedBars[],
  kind: TradeDateKind,
  upsertGroups: (groups: readonly PackedBars[], execute: (text: string, parameters: unknown[]) => Promise<SavedRow[]>) => Promise<SavedRow[]>,
): Promise<SavedRow[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const fresh = new Set(
      (await client.query<{ stock_code: string }>(FRESH_SYMBOLS_SQL, [toPgArrayLiteral(groups.map((g) => g.symbol))])).rows.map(
        (row) => row.stock_code,
      ),
    );
    const copied = groups.filter((group) => fresh.has(group.symbol) && group.count > 0);
    if (copied.length > 0) await copyBars(client, copied, kind);
    const saved = await upsertGroups(
      groups.filter((group) => !fresh.has(group.symbol)),
      async (text, parameters) => (await client.query<SavedRow>(text, parameters)).rows,
    );
    await client.query('commit');
    return [...copied.map((group) => ({ stock_code: group.symbol, created: group.count, updated: 0 })), ...saved];
  } catch (error) {
    try {
      await client.query('rollback');
    } catch (rollbackError) {
      // The connection itself is gone: do not hand it back to the pool.
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

interface SavedRow {
  stock_code: string;
  created: number;
  updated: number;
}

type RecentRow = { stock_code: string; trade_date: string; data_quality: string | null } & Record<
  ValueColumn,
  number | null
>;
