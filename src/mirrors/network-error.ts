import { MirrorError } from '../errors.js';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

// Failures that will not go away within one symbol's deadline: that mirror is dropped for
// the symbol (the others are still tried). A wrong certificate or an unknown host stays so.
const LASTING_CODES = new Set([
  'ENOTFOUND',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** The `code` of a Node or undici error, when it has one. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps a failed undici request (socket errors, timeouts, parser errors such as a body
 * shorter than its Content-Length) to a {@link MirrorError}. Everything is transient except
 * the few lasting conditions above: one broken socket says little about the next request.
 * `stage` records whether the response head had already arrived.
 */
export function toMirrorError(mirror: string, error: unknown, stage?: 'request' | 'body'): MirrorError {
  if (error instanceof MirrorError) return error;
  const code = errorCodeOf(error) ?? 'UNKNOWN';
  const text = error instanceof Error ? error.message : String(error);
  const message = `${mirror}: ${code} ${text}`;
  const where = stage === undefined ? {} : { stage };
  if (TIMEOUT_CODES.has(code)) {
    return new MirrorError('E_MIRROR_TIMEOUT', mirror, message, { transient: true, cause: error, ...where });
  }
  return new MirrorError('E_MIRROR_NETWORK', mirror, message, {
    transient: !LASTING_CODES.has(code) && !code.startsWith('CERT_'),
    cause: error,
    ...where,
  });
}
