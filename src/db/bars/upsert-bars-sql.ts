import { storedTradeDate, type TradeDateKind } from '../schema/trade-date-sql.js';

/** The value columns the crawler owns; compared to decide whether a stored row changed. */
export const VALUE_COLUMNS = ['open_price', 'high_price', 'low_price', 'close_price', 'volume'] as const;
export type ValueColumn = (typeof VALUE_COLUMNS)[number];

export interface UpsertSqlShape {
  tradeDate: TradeDateKind;
  /** Column type of each value column as format_type spells it ('numeric(12,4)', 'double precision'…). */
  valueTypes: Readonly<Record<ValueColumn, string>>;
  /** Whether the table has an updated_at column to touch on change. */
  hasUpdatedAt: boolean;
  /**
   * Drop rows identical to the stored ones before the INSERT. Needed where `id` is a 32-bit
   * serial (the backend's table); costly on a large backfill, so skipped for a bigserial id.
   */
  skipUnchangedBeforeInsert: boolean;
  /** is_validated to write on every saved row (the backend's vocabulary); undefined leaves it alone. */
  validated?: boolean | undefined;
}

/**
 * Builds the one statement that saves a batch, of one symbol or of many. Parameters:
 * $1 codes text[], $2 days date[], $3…$7 open/high/low/close/volume numeric[],
 * $8 data_quality text[], $9 data_source text[] (one per row, so symbols fetched from
 * different mirrors share the statement). Result: one row { stock_code, created, updated }
 * per code with at least one created or updated row; the rest of its input was unchanged.
 * No (stock_code, trade_date) may appear twice in one call (ON CONFLICT cannot touch a
 * row twice).
 *
 * New values are cast to each column's own type before comparing, so a float column is
 * compared as a float and a numeric(12,4) one after rounding: saving the same bars twice
 * reports them unchanged. On the backend's table, rows identical to the stored ones are
 * dropped before the INSERT: INSERT … ON CONFLICT draws a sequence value for every row it
 * is offered, and re-offering every overlap bar night after night would wear through a
 * 32-bit `serial`. That filter is one index probe per row and made a 432,000-row backfill
 * about six times slower (29 s against 5 s here), so a bigserial id goes without it. The ON CONFLICT arm updates rows whose values differ (and rows
 * another writer added meanwhile); `xmax = 0` tells an inserted row from an updated one.
 * Backend-computed columns (ma5, price_change…) are never named.
 */
export function buildUpsertSql(shape: UpsertSqlShape): string {
  const casts = VALUE_COLUMNS.map((column) => `i.${column}::${safeType(shape.valueTypes[column])} as ${column}`);
  const compared = [...VALUE_COLUMNS, 'data_quality'];
  const tuple = (alias: string): string => `(${compared.map((column) => `${alias}.${column}`).join(', ')})`;
  const validated = shape.validated === undefined ? undefined : shape.validated ? 'true' : 'false';
  const inserted = ['stock_code', 'trade_date', ...compared, 'data_source', ...(validated === undefined ? [] : ['is_validated'])];
  const selected = inserted.map((column) => (column === 'is_validated' ? validated : `i.${column}`));
  const assignments = [
    ...compared.map((column) => `${column} = excluded.${column}`),
    'data_source = excluded.data_source',
    ...(validated === undefined ? [] : [`is_validated = ${validated}`]),
    ...(shape.hasUpdatedAt ? ['updated_at = now()'] : []),
  ];

  return `
with input as (
  select i.stock_code, ${storedTradeDate(shape.tradeDate, 'i.day')} as trade_date,
         ${casts.join(',\n         ')},
         i.data_quality, i.data_source
  from unnest($1::text[], $2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[],
              $8::text[], $9::text[])
       as i(stock_code, day, ${VALUE_COLUMNS.join(', ')}, data_quality, data_source)
),
saved as (
  insert into stock_daily_data as t (${inserted.join(', ')})
  select ${selected.join(', ')}
  from input as i${shape.skipUnchangedBeforeInsert ? unchangedFilter(tuple) : ''}
  on conflict (stock_code, trade_date) do update
  set ${assignments.join(', ')}
  where ${tuple('t')} is distinct from ${tuple('excluded')}
  returning t.stock_code::text as stock_code, (xmax = 0) as created
)
select stock_code, count(*) filter (where created)::int as created, count(*) filter (where not created)::int as updated
from saved
group by stock_code`;
}

// A correlated scalar subquery, not NOT EXISTS: it stays one index probe per input row,
// where an anti join may be planned as a scan of the whole table.
function unchangedFilter(tuple: (alias: string) => string): string {
  return `
  where (select true from stock_daily_data as e
         where e.stock_code = i.stock_code and e.trade_date = i.trade_date
           and ${tuple('e')} is not distinct from ${tuple('i')}
         limit 1) is null`;
}

/** Column types come from the catalog; accept only plain spellings before splicing one into SQL. */
function safeType(type: string): string {
  if (!/^[a-z][a-z0-9 ]*(\(\d+(,\d+)?\))?$/.test(type)) throw new Error(`unexpected column type ${JSON.stringify(type)}`);
  return type;
}
