/**
 * Keys whose value is a secret as a whole. Matched on the key with `-`/`_` removed,
 * case-insensitively: `password`, `PGPASSWORD`, `db_password`, `apiToken`, `secret_key`…
 */
const SECRET_KEY = /pass(word|wd)?$|secret|token|credential|apikey/i;
/** Keys holding a connection URL or string: kept, with the password inside masked. */
const CONNECTION_KEY = /(database|db|connection|pg)(url|uri|string)$|^dsn$/i;

export const MASK = '***';

/**
 * A copy of `value` (plain JSON data: objects, arrays, strings, numbers…) that is safe
 * to store and show: the password of every URL-looking string (`scheme://user:pw@host`)
 * and every `password=…` parameter is masked, and values under secret-looking keys
 * (`password`, `token`, `secret`…) are replaced whole. The caller passes arguments that
 * hold no password already; this is the second line, so that the database password can
 * never end up in crawl_runs or task_execution_logs. Non-JSON values (functions,
 * symbols, undefined) are dropped as JSON.stringify would; cycles become '[circular]'.
 */
export function sanitizeArguments(value: unknown): unknown {
  return sanitize(value, undefined, new WeakSet());
}

function sanitize(value: unknown, key: string | undefined, seen: WeakSet<object>): unknown {
  const normalizedKey = key?.replace(/[-_]/g, '');
  if (normalizedKey !== undefined && SECRET_KEY.test(normalizedKey) && value !== null && value !== undefined) {
    return typeof value === 'boolean' ? value : MASK;
  }
  if (typeof value === 'string') {
    return normalizedKey !== undefined && CONNECTION_KEY.test(normalizedKey) ? maskConnectionString(value) : maskSecrets(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return sanitize(withJson.toJSON(), key, seen);
    if (Array.isArray(value)) return value.map((item) => sanitize(item, undefined, seen));
    const copy: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      copy[name] = sanitize(item, name, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/**
 * Masks `user:password@` in URLs and `password=…` parameters anywhere in free text. The
 * userinfo runs to the last `@` of the whitespace-free token, as WHATWG URL parsing (and
 * so pg) reads `postgres://u:p@ss@host`; masking a little too much is the safe side.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)\S*@/gi, `$1${MASK}@`)
    .replace(/(\bpass(?:word|wd)?\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^&\s;]*)/gi, `$1${MASK}`);
}

/** A connection URL or key=value string with its password masked, checked again by parsing it. */
function maskConnectionString(text: string): string {
  const masked = maskSecrets(text);
  try {
    const url = new URL(masked);
    if (url.password && url.password !== MASK) {
      url.password = MASK;
      return url.toString();
    }
  } catch {
    // Not a URL: the text rules above were all there was to apply.
  }
  return masked;
}
