/**
 * `trade_date` is a `date` in a crawler-created table and a timestamp in the backend's
 * (midnight UTC of the trading day). These helpers build the SQL that maps between a
 * trading day and the stored value with the zone spelled out, so the session's
 * TimeZone setting can never move a day: writing '2024-01-02' into a timestamptz under
 * Asia/Taipei would otherwise store 2024-01-01T16:00Z, a twin of the backend's row.
 *
 * Arguments are SQL expressions written by this package (column names, casts), never
 * user input.
 */
export type TradeDateKind = 'date' | 'timestamptz' | 'timestamp';

/** Maps a column type (as format_type spells it) to its kind; undefined when unusable. */
export function tradeDateKind(sqlType: string | undefined): TradeDateKind | undefined {
  switch (sqlType) {
    case 'date':
      return 'date';
    case 'timestamp with time zone':
      return 'timestamptz';
    case 'timestamp without time zone':
      return 'timestamp';
    default:
      return undefined;
  }
}

/** SQL for the stored value of the trading day `dayExpr` (an expression of type date). */
export function storedTradeDate(kind: TradeDateKind, dayExpr: string): string {
  switch (kind) {
    case 'date':
      return dayExpr;
    case 'timestamptz':
      return `((${dayExpr})::timestamp at time zone 'UTC')`;
    case 'timestamp':
      return `((${dayExpr})::timestamp)`;
  }
}

/** SQL for the trading day (type date) held in the stored value `columnExpr`. */
export function tradingDay(kind: TradeDateKind, columnExpr: string): string {
  switch (kind) {
    case 'date':
      return columnExpr;
    case 'timestamptz':
      return `((${columnExpr}) at time zone 'UTC')::date`;
    case 'timestamp':
      return `(${columnExpr})::date`;
  }
}

/** SQL rendering the stored value exactly, zone-independent: '2024-01-02' or '2024-01-02T00:00:00Z'. */
export function storedTradeDateText(kind: TradeDateKind, columnExpr: string): string {
  switch (kind) {
    case 'date':
      return `to_char(${columnExpr}, 'YYYY-MM-DD')`;
    case 'timestamptz':
      return `to_char((${columnExpr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    case 'timestamp':
      return `to_char(${columnExpr}, 'YYYY-MM-DD"T"HH24:MI:SS')`;
  }
}
