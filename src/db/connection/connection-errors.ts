import { DatabaseUnavailableError } from '../../errors.js';

/** SQLSTATE classes and codes that mean "the server is not there for us", not "the SQL is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '28P01', '28000', '3D000']);
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Whether an error from pg means the database cannot be reached or refused us
 * (connection refused, server shutting down, too many clients, authentication,
 * unknown database), as opposed to an error in a statement.
 */
export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_SYSTEM_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
    }
    if (current instanceof AggregateError && current.errors.some((inner) => isConnectionFailure(inner))) return true;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && /Connection terminated|timeout expired/i.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Rethrows `error`, as a DatabaseUnavailableError when it is a connection failure (see
 * isConnectionFailure) so that callers branch on one code; any other error unchanged.
 */
export function rethrowUnavailable(error: unknown): never {
  if (isConnectionFailure(error) && !(error instanceof DatabaseUnavailableError)) {
    const reason = error instanceof Error && error.message ? error.message : String(error);
    throw new DatabaseUnavailableError(`the database became unavailable: ${reason}`, { cause: error });
  }
  throw error;
}
