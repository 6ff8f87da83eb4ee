import { FormatError, MirrorError } from '../errors.js';
import type { FormatReason } from '../errors.js';
import { errorCodeOf } from './network-error.js';

/**
 * How a mirror let a symbol down. A small fixed list, so the summary (and a metric label)
 * stays bounded; the names are part of the summary's published shape.
 * - `refused`: nothing listens on the mirror's port.
 * - `reset`: the connection was reset, or closed, before a response head came.
 * - `timeout`: connect, response head, body silence (a slow drip) or the whole attempt.
 * - `truncated`: the body was cut short: the connection reset or closed mid-body (a client
 *   cannot always tell an RST from a FIN there), or the payload's last section is cut.
 * - `network`: any other network failure (unknown host, certificate).
 * - `http_429`: throttled, with or without Retry-After. `http_5xx`: a server error (503 storms).
 * - `http_4xx`: another 4xx (401/403 refusals, 404). `http_other`: any other non-2xx status.
 * - `too_large`: a body over maxBodyBytes.
 * - `html`: a web or text page (a block or busy page) instead of a payload.
 * - `binary`: garbage bytes.
 * - `format`: a payload whose sections do not line up: one missing or shifted, unequal
 *   lengths, a token that is no number or date.
 * - `empty`: no bars for a symbol that has history (stored, or served by another mirror).
 * - `disagreement`: bars that differ from what another mirror confirmed (the stored overlap,
 *   or the new values two mirrors agree on).
 * - `other`: anything else.
 */
export const FAULT_KINDS = [
  'refused',
  'reset',
  'timeout',
  'truncated',
  'network',
  'http_429',
  'http_5xx',
  'http_4xx',
  'http_other',
  'too_large',
  'html',
  'binary',
  'format',
  'empty',
  'disagreement',
  'other',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault, charged to the mirror that committed it. */
export interface MirrorFault {
  broker: string;
  kind: FaultKind;
}

// Socket errors that mean the peer went away before answering: a reset, whatever the code.
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

const FORMAT_KINDS: Readonly<Record<FormatReason, FaultKind>> = {
  html: 'html',
  binary: 'binary',
  truncated: 'truncated',
  empty: 'empty',
  too_few_sections: 'format',
  unequal_length: 'format',
  bad_number: 'format',
  bad_date: 'format',
};

/** The fault kind of a failed attempt's error (a MirrorError or the parser's FormatError). */
export function faultKindOf(error: unknown): FaultKind {
  if (error instanceof FormatError) return FORMAT_KINDS[error.reason] ?? 'format';
  if (!(error instanceof MirrorError)) return 'other';
  switch (error.code) {
    case 'E_MIRROR_TIMEOUT':
      return 'timeout';
    case 'E_MIRROR_TOO_LARGE':
      return 'too_large';
    case 'E_MIRROR_HTTP':
      return httpKind(error.status);
    case 'E_MIRROR_NETWORK':
      return networkKind(errorCodeOf(error.cause), error.stage);
    default:
      return 'other';
  }
}

function httpKind(status: number | undefined): FaultKind {
  if (status === undefined) return 'http_other';
  if (status === 429) return 'http_429';
  if (status >= 500 && status < 600) return 'http_5xx';
  if (status >= 400 && status < 500) return 'http_4xx';
  return 'http_other';
}

function networkKind(code: string | undefined, stage: 'request' | 'body' | undefined): FaultKind {
  if (code === 'ECONNREFUSED') return 'refused';
  // After the head, whatever ended the connection cut the body short: a reset there reaches
  // the client now as ECONNRESET, now as a plain close, so the code cannot be the criterion.
  if (stage === 'body') return 'truncated';
  if (code !== undefined && RESET_CODES.has(code)) return 'reset';
  return 'network';
}

/** Every fault of a list of attempts (those with a `fault`), in order. */
export function faultsOfAttempts(attempts: ReadonlyArray<{ broker: string; fault?: FaultKind | undefined }>): MirrorFault[] {
  const faults: MirrorFault[] = [];
  for (const attempt of attempts) if (attempt.fault !== undefined) faults.push({ broker: attempt.broker, kind: attempt.fault });
  return faults;
}
