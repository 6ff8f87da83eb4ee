/** The `outcome` label of a request: a small fixed set, so a mirror has at most this many series. */
export const REQUEST_OUTCOMES = [
  'ok',
  'http_4xx',
  'http_429',
  'http_5xx',
  'http_other',
  'timeout',
  'network',
  'format',
  'too_large',
  'other',
] as const;

export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** One attempt as src/mirrors/fetch-symbol.ts records it (its `Attempt` fits). */
export interface AttemptSample {
  broker: string;
  /** The HTTP status when the mirror answered, else the error code. */
  status: number | string;
  ms: number;
  /** Undefined when the attempt succeeded. */
  code?: string | undefined;
}

/**
 * Classifies one attempt. The error code decides first: a 200 whose body was an HTML page
 * is a `format` failure, not `ok`. Free text (messages, URLs, symbols) never becomes a label.
 */
export function requestOutcome(attempt: AttemptSample): RequestOutcome {
  switch (attempt.code) {
    case undefined:
      return 'ok';
    case 'E_MIRROR_HTTP':
      return httpOutcome(attempt.status);
    case 'E_MIRROR_TIMEOUT':
      return 'timeout';
    case 'E_MIRROR_NETWORK':
      return 'network';
    case 'E_FORMAT':
      return 'format';
    case 'E_MIRROR_TOO_LARGE':
      return 'too_large';
    default:
      return 'other';
  }
}

function httpOutcome(status: number | string): RequestOutcome {
  if (typeof status !== 'number') return 'http_other';
  // 429 apart: throttling calls for slowing down, not for a broken mirror.
  if (status === 429) return 'http_429';
  if (status >= 400 && status < 500) return 'http_4xx';
  if (status >= 500 && status < 600) return 'http_5xx';
  return 'http_other';
}
