import { CrawlerError, DatabaseUnavailableError, SchemaError } from '../../errors.js';
import { isConnectionFailure } from '../connection/connection-errors.js';

/**
 * How the bar writer tells an error that concerns one statement's data (a symbol fails
 * alone) from one after which no write can succeed (every pending write fails with it).
 */

/** The error that stops every write, or undefined for one that concerns this statement's data. */
export function fatalWriteError(error: unknown): CrawlerError | undefined {
  if (error instanceof DatabaseUnavailableError || error instanceof SchemaError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isConnectionFailure(error)) {
    return new DatabaseUnavailableError(`the database became unavailable: ${reason}`, { cause: error });
  }
  const state = sqlState(error);
  // 25006: a read-only transaction, i.e. connected to a standby after a failover.
  if (state === '25006') return new DatabaseUnavailableError(`the database is read-only: ${reason}`, { cause: error });
  // Class 42 (undefined table or column, no privilege…) comes from the schema, never from
  // one symbol's values: every statement would fail the same way.
  if (state?.startsWith('42')) return new SchemaError(`stock_daily_data cannot be written: ${reason}`, { cause: error });
  return undefined;
}

/** One symbol's refused rows: a value out of the column's range, a code too long… */
export function symbolWriteError(error: unknown): CrawlerError {
  const reason = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  return new CrawlerError('E_DB_WRITE', state === undefined ? reason : `${reason} (SQLSTATE ${state})`, { cause: error });
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
