import pg from 'pg';
import { CrawlerError, DatabaseUnavailableError, SchemaError, UsageError } from '../../errors.js';
import { redactUrlPassword, withoutPassword } from '../../redact-password.js';
import { isConnectionFailure } from '../connection/connection-errors.js';
import { tradeDateKind, type TradeDateKind } from '../schema/trade-date-sql.js';
import { symbolRowsSql, type SymbolRowsReader } from './symbol-rows.js';

/** Another database's stock_daily_data (the old service's, in a dual run), open for reading only. */
export interface AgainstDatabase extends SymbolRowsReader {
  /** Where it is, safe to print: the URL with its password redacted. */
  readonly target: string;
  readonly tradeDateKind: TradeDateKind;
  /** Asks the server whether this session is read-only; it always is (checked at open too). */
  readOnly(): Promise<boolean>;
  close(): Promise<void>;
}

/** Options of {@link openAgainstDatabase}. */
export interface AgainstOptions {
  /** How long to wait for the connection, ms. Default 10,000. */
  connectTimeoutMs?: number | undefined;
  /** Shown in the other server's pg_stat_activity. Default 'stock-crawler verify'. */
  applicationName?: string | undefined;
}

const REQUIRED = ['stock_code', 'trade_date', 'open_price', 'high_price', 'low_price', 'close_price', 'volume', 'id'];

/**
 * Opens one connection of its own to the database at `url` (never the crawler's pool) in
 * read-only mode: `default_transaction_read_only` is on from the start and set again once
 * connected, so no statement of this session can write, whatever the URL carries. Its
 * stock_daily_data may have trade_date as a date or a timestamp (midnight UTC).
 * Symbols are read one at a time; nothing else is kept.
 * @throws UsageError for a URL that cannot be parsed; DatabaseUnavailableError when it cannot
 *   be reached; SchemaError when it has no usable stock_daily_data. No message holds the password.
 */
export async function openAgainstDatabase(url: string, options: AgainstOptions = {}): Promise<AgainstDatabase> {
  const target = redactUrlPassword(url);
  if (!URL.canParse(url)) throw new UsageError(`the --against URL is not a valid URL: ${target}`);
  const session: Session = { client: await connectReadOnly(url, target, options), url, target };
  try {
    // Belt and braces: a session that could write is never used.
    if (!(await isReadOnly(session.client))) throw new CrawlerError('E_INTERNAL', `the session on ${target} is not read-only`);
    return againstReader(session, await storedTradeDateKind(session));
  } catch (error) {
    await session.client.end().catch(() => undefined);
    if (error instanceof CrawlerError || !isConnectionFailure(error)) throw error;
    throw lostConnection(session, error);
  }
}

/** The open connection, with what its messages need: the URL (to scrub) and its printable form. */
interface Session {
  client: pg.Client;
  url: string;
  target: string;
}

/** One connection, read-only from its first statement. @throws DatabaseUnavailableError when it cannot be made. */
async function connectReadOnly(url: string, target: string, options: AgainstOptions): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: options.applicationName ?? 'stock-crawler verify',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    options: '-c default_transaction_read_only=on',
  });
  // A server going away emits 'error' on the client; the next query reports it instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('set default_transaction_read_only = on');
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot connect to the --against database ${target}: ${withoutPassword(describe(error), url)}`, { cause: error });
  }
  return client;
}

async function isReadOnly(client: pg.Client): Promise<boolean> {
  return (await client.query<{ transaction_read_only: string }>('show transaction_read_only')).rows[0]?.transaction_read_only === 'on';
}

/** The flavour of the other stock_daily_data's trade_date. @throws SchemaError when the table or a column verify reads is missing. */
async function storedTradeDateKind({ client, target }: Session): Promise<TradeDateKind> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
     from pg_attribute a
     where a.attrelid = to_regclass('stock_daily_data') and a.attnum > 0 and not a.attisdropped`,
  );
  const columns = new Map(rows.map((row) => [row.name, row.type]));
  const missing = REQUIRED.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new SchemaError(
      columns.size === 0
        ? `the --against database ${target} has no stock_daily_data table`
        : `stock_daily_data of the --against database ${target} lacks ${missing.join(', ')}`,
    );
  }
  const kind = tradeDateKind(columns.get('trade_date'));
  if (kind === undefined) throw new SchemaError(`stock_daily_data.trade_date of ${target} has type ${columns.get('trade_date')}`);
  return kind;
}

function againstReader(session: Session, kind: TradeDateKind): AgainstDatabase {
  const { client, target } = session;
  const text = symbolRowsSql(kind);
  return {
    target,
    tradeDateKind: kind,
    readOnly: () => isReadOnly(client),
    async rows(symbol, range) {
      try {
        return (await client.query(text, [symbol, range.from ?? null, range.to ?? null])).rows;
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
        throw lostConnection(session, error);
      }
    },
    close: () => client.end(),
  };
}

function lostConnection({ url, target }: Session, error: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(`the --against database ${target} became unavailable: ${withoutPassword(describe(error), url)}`, { cause: error });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  return (error as NodeJS.ErrnoException).code ?? error.name;
}

