/** Header values as undici hands them over. */
export type HeaderValue = string | string[] | undefined;

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Milliseconds a `Retry-After` value asks for: delta-seconds or an HTTP-date (relative
 * to `nowMs`, never negative). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: HeaderValue, nowMs: number): number | undefined {
  const text = first(value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  // Date.parse also accepts "5" or "2024"; only take strings that look like an HTTP-date.
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The `charset` parameter of a Content-Type, lower-cased and unquoted; undefined when not declared. */
export function charsetOf(contentType: HeaderValue): string | undefined {
  const text = first(contentType);
  if (text === undefined) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(text);
  return match?.[2]?.toLowerCase();
}

/** The declared Content-Length, or undefined when absent or not a plain non-negative integer. */
export function contentLengthOf(value: HeaderValue): number | undefined {
  const text = first(value)?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Statuses where the same request may succeed later or elsewhere: 408, 429 and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
