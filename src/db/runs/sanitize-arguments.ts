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
    // A URL echoed cut short (`postgres://u:pass…`) lost its `@`, not its password.
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)[^\s@"]*…/gi, `$1${MASK}…`)
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

/** Passwords shorter than this are not searched for as plain text: masking every `a` would hide the message, not the secret. */
const MIN_LITERAL_SECRET = 4;

/**
 * `text` with URL passwords masked (see {@link maskSecrets}) and, wherever they appear
 * on their own, the passwords of `urls` — as written, percent-decoded and percent-encoded —
 * since a driver or a parser may quote a password without its URL around it.
 */
export function maskPasswordsOf(text: string, urls: ReadonlyArray<string | undefined>): string {
  let masked = maskSecrets(text);
  for (const password of urls.flatMap((url) => (url === undefined ? [] : passwordForms(url)))) {
    if (password.length >= MIN_LITERAL_SECRET) masked = masked.split(password).join(MASK);
  }
  return masked;
}

/** Every form the password of a connection URL may take in a message, longest first. */
function passwordForms(url: string): string[] {
  const forms = new Set<string>();
  // As typed: up to the last `@`, the way pg reads it.
  const typed = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:(\S*)@/i.exec(url)?.[1];
  if (typed !== undefined) forms.add(typed);
  try {
    const parsed = new URL(url);
    forms.add(parsed.password);
    const fromQuery = parsed.searchParams.get('password');
    if (fromQuery !== null) forms.add(fromQuery);
  } catch {
    // Not a URL: the typed form is all there is.
  }
  for (const form of [...forms]) {
    forms.add(encodeURIComponent(form));
    try {
      forms.add(decodeURIComponent(form));
    } catch {
      // A lone `%`: it has no decoded form.
    }
  }
  return [...forms].filter((form) => form !== '').sort((a, b) => b.length - a.length);
}
