/**
 * Every failure the crawler knows about is a CrawlerError with a stable `code`.
 * Tests and callers branch on `code`, never on message text; the CLI maps codes to
 * exit codes in {@link exitCodeFor} and nowhere else.
 */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_SYMBOL'
  | 'E_FORMAT'
  | 'E_MIRROR_HTTP'
  | 'E_MIRROR_NETWORK'
  | 'E_MIRROR_TIMEOUT'
  | 'E_MIRROR_TOO_LARGE'
  | 'E_ALL_MIRRORS_FAILED'
  /** Mirrors sent different bars for the same days and no two of them agreed. */
  | 'E_MIRRORS_DISAGREE'
  | 'E_ALL_MIRRORS_DOWN'
  | 'E_DB_UNAVAILABLE'
  | 'E_DB_SCHEMA'
  | 'E_DB_DUPLICATES'
  | 'E_DB_WRITE'
  | 'E_LOCK_HELD'
  /** An official reference source (ISIN pages, holiday schedule) answered nothing that can be trusted. */
  | 'E_SOURCE_REFUSED'
  | 'E_INTERNAL';

export interface CrawlerErrorOptions {
  cause?: unknown;
}

export class CrawlerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: CrawlerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** A flag, argument or config value that cannot be used. */
export class UsageError extends CrawlerError {
  constructor(message: string, options?: CrawlerErrorOptions) {
    super('E_USAGE', message, options);
  }
}

/** A configuration value that failed validation; `key` and `source` say where it came from. */
export class ConfigError extends CrawlerError {
  readonly key: string;
  readonly source: string;

  constructor(key: string, source: string, message: string) {
    super('E_CONFIG', `${key} (from ${source}): ${message}`);
    this.key = key;
    this.source = source;
  }
}

/** A stock symbol that does not match the accepted form; no request is ever sent for it. */
export class SymbolError extends CrawlerError {
  readonly symbol: string;

  constructor(symbol: string, message: string) {
    super('E_SYMBOL', message);
    this.symbol = symbol;
  }
}

/** Why a payload could not be read as daily bars. */
export type FormatReason =
  | 'html'
  | 'binary'
  | 'too_few_sections'
  | 'unequal_length'
  | 'truncated'
  /** No bars for a symbol that has stored history: a mirror fault, not "no data". */
  | 'empty'
  | 'bad_number'
  | 'bad_date';

/** A mirror answered, but not with a djbcd payload. Transient: the next mirror is tried. */
export class FormatError extends CrawlerError {
  readonly reason: FormatReason;
  /** Which section the problem was found in (`dates`, `opens`, … or `section 9`), when known. */
  readonly section: string | undefined;
  /** A short, printable excerpt of the offending input. */
  readonly excerpt: string;

  constructor(reason: FormatReason, message: string, details: { section?: string; excerpt: string }) {
    super('E_FORMAT', message);
    this.reason = reason;
    this.section = details.section;
    this.excerpt = details.excerpt;
  }
}

/** Common shape of a failed request to one mirror. */
export class MirrorError extends CrawlerError {
  readonly mirror: string;
  /** HTTP status when the mirror answered, otherwise undefined. */
  readonly status: number | undefined;
  /** Whether trying again (elsewhere, or later) can help. */
  readonly transient: boolean;
  /** Milliseconds the mirror asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | undefined;
  /**
   * Where a network failure struck: `body` once a 2xx head had arrived (a reset or a cut
   * mid-body), `request` before that; undefined when not known.
   */
  readonly stage: 'request' | 'body' | undefined;

  constructor(
    code: Extract<ErrorCode, `E_MIRROR_${string}`>,
    mirror: string,
    message: string,
    details: { status?: number; transient: boolean; retryAfterMs?: number; cause?: unknown; stage?: 'request' | 'body' },
  ) {
    super(code, message, { cause: details.cause });
    this.mirror = mirror;
    this.status = details.status;
    this.transient = details.transient;
    this.retryAfterMs = details.retryAfterMs;
    this.stage = details.stage;
  }
}

/**
 * Every mirror's circuit stayed open for the whole patience: this machine is most likely
 * blocked, so the run stops instead of failing every remaining symbol. Fatal (exit 3).
 */
export class AllMirrorsDownError extends CrawlerError {
  /** How long no mirror was healthy, in milliseconds. */
  readonly downForMs: number;

  constructor(downForMs: number, message: string) {
    super('E_ALL_MIRRORS_DOWN', message);
    this.downForMs = downForMs;
  }
}

/** The database cannot be reached or refused the connection. */
export class DatabaseUnavailableError extends CrawlerError {
  constructor(message: string, options?: CrawlerErrorOptions) {
    super('E_DB_UNAVAILABLE', message, options);
  }
}

/** The schema is missing or older than this build expects. */
export class SchemaError extends CrawlerError {
  constructor(message: string, options?: CrawlerErrorOptions) {
    super('E_DB_SCHEMA', message, options);
  }
}

/** An adopted table holds duplicate (stock_code, trade_date) rows, so no unique key can be added. */
export class DuplicateRowsError extends CrawlerError {
  readonly duplicates: ReadonlyArray<{ stock_code: string; trade_date: string; count: number }>;

  constructor(duplicates: ReadonlyArray<{ stock_code: string; trade_date: string; count: number }>) {
    const sample = duplicates
      .slice(0, 5)
      .map((d) => `${d.stock_code}@${d.trade_date}×${d.count}`)
      .join(', ');
    super(
      'E_DB_DUPLICATES',
      `stock_daily_data holds ${duplicates.length} duplicated (stock_code, trade_date) keys (${sample}); ` +
        'remove the twins, then run again — the crawler never deletes rows itself',
    );
    this.duplicates = duplicates;
  }
}

/**
 * Another run of the same job and shard holds the run lock (or another process holds the
 * embedded database). Not a failure of the database: wait (`--wait-lock`) or try later. Exit 3.
 */
export class LockHeldError extends CrawlerError {
  /** The holding run's id (crawl_runs.id), when it is recorded. */
  readonly runId: string | undefined;
  /** When the holding run started, when known. */
  readonly startedAt: Date | undefined;
  /** The holder's process id, when known. */
  readonly pid: number | undefined;

  constructor(message: string, holder: { runId?: string; startedAt?: Date; pid?: number } = {}) {
    super('E_LOCK_HELD', message);
    this.runId = holder.runId;
    this.startedAt = holder.startedAt;
    this.pid = holder.pid;
  }
}

/**
 * A reference source (an ISIN page, the holiday schedule) was not used: it answered an
 * error, a page without its table, or a table far shorter than the last good sync, so the
 * stored universe or calendar was left as it was. Exit 3 when nothing could be synced.
 */
export class SourceRefusedError extends CrawlerError {
  /** The sources refused, e.g. `TSE`, `TPEx`, `holidays`. */
  readonly sources: readonly string[];

  constructor(sources: readonly string[], message: string, options?: CrawlerErrorOptions) {
    super('E_SOURCE_REFUSED', message, options);
    this.sources = sources;
  }
}

/**
 * Exit codes, documented in the README:
 * 0 success · 1 some symbols failed · 2 bad input (flags, config, symbols) ·
 * 3 the environment is not usable (database down, schema missing, duplicates to resolve,
 * every mirror down, another run of the same shard in progress, no reference source to trust) · 70 an internal error (a bug) · 130 / 143 interrupted by SIGINT / SIGTERM.
 */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
  internal: 70,
  sigint: 130,
  sigterm: 143,
} as const;

/** 128 + the signal's number, as shells report it. */
export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? EXIT_CODES.sigint : EXIT_CODES.sigterm;
}

const exitByCode: Record<ErrorCode, number> = {
  E_USAGE: EXIT_CODES.usage,
  E_CONFIG: EXIT_CODES.usage,
  E_SYMBOL: EXIT_CODES.usage,
  E_FORMAT: EXIT_CODES.failed,
  E_MIRROR_HTTP: EXIT_CODES.failed,
  E_MIRROR_NETWORK: EXIT_CODES.failed,
  E_MIRROR_TIMEOUT: EXIT_CODES.failed,
  E_MIRROR_TOO_LARGE: EXIT_CODES.failed,
  E_ALL_MIRRORS_FAILED: EXIT_CODES.failed,
  E_MIRRORS_DISAGREE: EXIT_CODES.failed,
  E_ALL_MIRRORS_DOWN: EXIT_CODES.unavailable,
  E_DB_UNAVAILABLE: EXIT_CODES.unavailable,
  E_DB_SCHEMA: EXIT_CODES.unavailable,
  E_DB_DUPLICATES: EXIT_CODES.unavailable,
  E_DB_WRITE: EXIT_CODES.failed,
  E_LOCK_HELD: EXIT_CODES.unavailable,
  E_SOURCE_REFUSED: EXIT_CODES.unavailable,
  E_INTERNAL: EXIT_CODES.internal,
};

export function exitCodeFor(error: unknown): number {
  if (error instanceof CrawlerError) return exitByCode[error.code];
  return EXIT_CODES.internal;
}
