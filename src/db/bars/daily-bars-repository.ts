import { CompiledQuery, type Kysely } from 'kysely';
import type { DailyBar } from '../../core/daily-bar.js';
import { CrawlerError, SchemaError } from '../../errors.js';
import type { BulkTransaction } from '../connection/bulk-transaction.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import { describeTables, hasUniqueKeyOn } from '../schema/catalog.js';
import { isCrawlerComment } from '../schema/table-owner.js';
import type { Database } from '../schema/tables.js';
import { tradeDateKind, type TradeDateKind } from '../schema/trade-date-sql.js';
import { barsReadStatements, type BarsReadStatements } from './bars-statements.js';
import { copyOrUpsert, type Execute, type SavedRow } from './copy-or-upsert.js';
import type { PackedBars } from './packed-bars.js';
import { rowVocabularyFor, type RowVocabulary, type RowVocabularyName } from './row-vocabulary.js';
import { buildUpsertSql, VALUE_COLUMNS, type ValueColumn } from './upsert-bars-sql.js';
import { packedUpsertParameters } from './upsert-parameters.js';

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
  /** What written rows say in data_source, data_quality and is_validated. */
  readonly vocabulary: RowVocabulary;
  /**
   * Saves several symbols, each with its own mirror, in ONE statement (so atomically
   * together: inserts new days, updates days whose values changed, leaves the rest and
   * every backend-computed column alone) and reports the counts of each. The bars come
   * checked, deduplicated and packed (see packed-bars.ts): the form the bar writer keeps,
   * with no object per bar. Several calls are atomic together in a transaction (withExecutor).
   * @throws CrawlerError E_INTERNAL for a repeated symbol (before any SQL); the driver's error when the statement fails.
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
   * Transactions on a connection apart from `db`'s statements (the database handle's). With
   * it, a large write COPYs the bars of symbols that have no stored row instead of upserting them.
   */
  bulk?: BulkTransaction | undefined;
  /** Rows a write must hold before the COPY path is considered. Default 2,000. */
  copyMinRows?: number | undefined;
  /** The rowVocabulary setting; undefined: the backend's in an adopted table, the crawler's in its own. */
  vocabulary?: RowVocabularyName | undefined;
}

/** The table as inspected once: how trade_date is stored, the statements, the words rows carry. */
interface Table {
  kind: TradeDateKind;
  vocabulary: RowVocabulary;
  upsert: string;
  reads: BarsReadStatements;
}

/**
 * Inspects stock_daily_data once and builds the statements for its flavour.
 * @throws SchemaError when the table, a needed column or the unique key is missing.
 */
export async function createDailyBarsRepository(db: Kysely<Database>, options: DailyBarsRepositoryOptions = {}): Promise<DailyBarsRepository> {
  const { columns, indexes, comment } = (await describeTables(db, ['stock_daily_data'])).get('stock_daily_data')!;
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new SchemaError(columns.size === 0 ? 'stock_daily_data does not exist; run `stock-crawler migrate`' : `stock_daily_data lacks ${missing.join(', ')}`);
  }
  const kind = tradeDateKind(columns.get('trade_date'));
  if (kind === undefined) throw new SchemaError(`stock_daily_data.trade_date has type ${columns.get('trade_date')}`);
  if (!hasUniqueKeyOn(indexes, ['stock_code', 'trade_date'])) {
    throw new SchemaError('stock_daily_data has no unique key on (stock_code, trade_date); run `stock-crawler migrate`');
  }
  const vocabulary = rowVocabularyFor(options.vocabulary, isCrawlerComment(comment));
  if (vocabulary.validated !== undefined && !columns.has('is_validated')) throw new SchemaError('stock_daily_data lacks is_validated');
  const valueTypes = Object.fromEntries(VALUE_COLUMNS.map((c) => [c, columns.get(c) ?? ''])) as Record<ValueColumn, string>;
  let upsert: string;
  try {
    upsert = buildUpsertSql({
      tradeDate: kind,
      valueTypes,
      hasUpdatedAt: columns.has('updated_at'),
      skipUnchangedBeforeInsert: columns.get('id') !== 'bigint',
      validated: vocabulary.validated,
    });
  } catch (error) {
    throw new SchemaError(`stock_daily_data cannot be written: ${(error as Error).message}`, { cause: error });
  }
  const bulk = options.bulk === undefined ? undefined : { transaction: options.bulk, minRows: options.copyMinRows ?? 2_000 };
  return new BarsRepository(db, { kind, vocabulary, upsert, reads: barsReadStatements(kind) }, bulk);
}

type RecentRow = { stock_code: string; trade_date: string; data_quality: string | null } & Record<ValueColumn, number | null>;

class BarsRepository implements DailyBarsRepository {
  readonly flavour: 'crawler' | 'legacy';

  constructor(
    private readonly db: Kysely<Database>,
    private readonly table: Table,
    /** The COPY path's transactions and threshold; only the repository on the root database has it. */
    private readonly bulk?: { transaction: BulkTransaction; minRows: number },
  ) {
    this.flavour = table.kind === 'date' ? 'crawler' : 'legacy';
  }

  get tradeDateKind(): TradeDateKind {
    return this.table.kind;
  }

  get vocabulary(): RowVocabulary {
    return this.table.vocabulary;
  }

  async upsertPacked(groups: readonly PackedBars[]): Promise<Map<string, UpsertCounts>> {
    const seen = new Set<string>();
    for (const { symbol } of groups) {
      if (seen.has(symbol)) throw new CrawlerError('E_INTERNAL', `symbol ${symbol} given twice in one write`);
      seen.add(symbol);
    }
    const rowCount = groups.reduce((sum, group) => sum + group.count, 0);
    const upsertGroups = (part: readonly PackedBars[], execute: Execute): Promise<SavedRow[]> =>
      part.some((group) => group.count > 0) ? execute(this.table.upsert, packedUpsertParameters(part, this.table.vocabulary)) : Promise.resolve([]);
    const saved =
      this.bulk !== undefined && rowCount >= this.bulk.minRows
        ? await copyOrUpsert(this.bulk.transaction, groups, this.table, upsertGroups)
        : await upsertGroups(groups, (text, parameters) => this.run<SavedRow>(text, parameters));
    const bySymbol = new Map(saved.map((row) => [row.stock_code, row]));
    return new Map(
      groups.map(({ symbol, count }) => {
        const created = bySymbol.get(symbol)?.created ?? 0;
        const updated = bySymbol.get(symbol)?.updated ?? 0;
        return [symbol, { created, updated, unchanged: count - created - updated }];
      }),
    );
  }

  async recentBars(symbols: readonly string[], perSymbol: number): Promise<Map<string, DailyBar[]>> {
    const wanted = [...new Set(symbols)];
    const result = new Map<string, DailyBar[]>();
    if (wanted.length === 0 || perSymbol <= 0) return result;
    const rows = await this.run<RecentRow>(this.table.reads.recent, [toPgArrayLiteral(wanted), Math.floor(perSymbol)]);
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
  }

  async latestTradeDate(symbol: string): Promise<string | null> {
    const [row] = await this.run<{ day: string | null }>(this.table.reads.latestOne, [symbol]);
    return row?.day ?? null;
  }

  async latestTradeDates(symbols?: readonly string[]): Promise<Map<string, string>> {
    if (symbols !== undefined && symbols.length === 0) return new Map();
    const rows =
      symbols === undefined
        ? await this.run<{ stock_code: string; day: string }>(this.table.reads.latestAll, [])
        : await this.run<{ stock_code: string; day: string }>(this.table.reads.latestMany, [toPgArrayLiteral(symbols)]);
    return new Map(rows.map((row) => [row.stock_code, row.day]));
  }

  withExecutor(executor: Kysely<Database>): DailyBarsRepository {
    // A transaction's statements must run on its own connection: no COPY on the side.
    return executor === this.db ? this : new BarsRepository(executor, this.table);
  }

  private async run<R>(text: string, parameters: unknown[]): Promise<R[]> {
    return (await this.db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
  }
}
