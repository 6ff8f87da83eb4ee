import { FormatError, MirrorError } from '../errors.js';
import type { CircuitVerdict } from './circuit.js';

// Refusals of us rather than of the symbol: this is what an IP ban looks like.
const REFUSED = new Set([401, 403]);

/**
 * What a failed attempt says about the mirror, for its circuit breaker:
 * - an answer that is not a payload (HTML, garbage, truncated, empty for a known symbol:
 *   a FormatError), a 5xx, a 408 or 429, a timeout, a broken or refused connection, an
 *   unknown host or a bad certificate: `failure`. A 429 counts because backing off is the
 *   polite answer to being throttled, and a mirror that throttles every request is of no use.
 * - 401 and 403: `failure` too (see above).
 * - any other 4xx (404, 400 …) is about the symbol, not the mirror: `neutral`.
 * - anything else (not a mirror failure at all): `neutral`.
 */
export function verdictOf(error: unknown): CircuitVerdict {
  if (error instanceof FormatError) return 'failure';
  if (!(error instanceof MirrorError)) return 'neutral';
  const { status } = error;
  const aboutSymbol = status !== undefined && status >= 400 && status < 500 && !error.transient && !REFUSED.has(status);
  return aboutSymbol ? 'neutral' : 'failure';
}
