import type { z } from 'zod';
import type { ValueTypes } from './value-types.js';

/**
 * Every option of the CLI, declared once: its key (the config-file key and the name the
 * code reads), flag, environment variable, default, type and help. The zod schema
 * (schema.ts), the commander flags of every command (cli/program.ts), `--print-config`
 * and the README's configuration table are all built from, or checked against, this
 * table. Plain data and type-only imports: `--help` reads it without loading zod.
 *
 * Two kinds:
 * - settings (`setting: true`): layered defaults < config file < environment < flag, each
 *   checked against its type and reported by `--print-config`. Those without `flag` are
 *   set by file or environment only (tuning knobs nobody types per run).
 * - arguments: a command's own flags (`--symbols`, `--dry-run` …), never read from a file
 *   or the environment.
 */

/** The commands of the CLI. */
export const COMMAND_NAMES = ['fetch', 'update', 'history', 'health', 'migrate', 'sync', 'symbols', 'verify'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Where a flag is offered: every command, or the commands listed. */
export type Scope = 'global' | readonly CommandName[];

export interface OptionDeclaration<T extends z.ZodType = z.ZodType> {
  /** The value's type, built with the schema's builders when a command runs. */
  type: (t: ValueTypes) => T;
  /** The value when none is given, as it would be given (a list as its text); absent: unset (undefined). */
  default?: z.input<T>;
  /** How the default reads in help and the README when it is not the value itself. */
  defaultText?: string;
  /** A setting (layered, in `--print-config`) rather than a command's own argument. */
  setting?: boolean;
  /** Environment variable of a setting; default STOCK_CRAWLER_<KEY_IN_SNAKE_CASE>. */
  env?: string;
  /** Commander's spelling, e.g. `--concurrency <n>`; absent: no flag. */
  flag?: string;
  /** The commands that offer the flag. */
  scope?: Scope;
  /** Allowed values, shown in help (the type enforces them). */
  choices?: readonly string[];
  /** The flag's value as given → the setting's value (e.g. seconds → ms); identity when absent. */
  fromFlag?: (value: string | boolean) => unknown;
  /** Never printed or logged as it is. */
  secret?: boolean;
  help: string;
}

/** Keeps each declaration's literal shape (which keys it has) for the types derived below. */
function declare<T extends z.ZodType, const D extends OptionDeclaration<T>>(declaration: D & OptionDeclaration<T>): D {
  return declaration;
}

/** A setting offered as a flag by the commands that crawl. */
const CRAWLING: readonly CommandName[] = ['update', 'verify'];
const RUNS_WITH_METRICS: readonly CommandName[] = ['fetch', 'update', 'verify'];

/** Seconds as typed to `--wait-lock`; bare, 15 minutes; what is not a number the type refuses. */
function waitLockFromFlag(value: string | boolean): unknown {
  if (value === true) return 15 * 60_000;
  if (typeof value !== 'string') return value;
  // Not Number('') alone: that is 0, which would quietly mean "do not wait".
  const seconds = value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN;
}

export const OPTIONS = {
  // ── where the data lives ──────────────────────────────────────────────────────────
  databaseUrl: declare({
    type: (t) => t.databaseUrl(),
    setting: true,
    env: 'DATABASE_URL',
    flag: '--database-url <url>',
    scope: 'global',
    secret: true,
    help: 'PostgreSQL URL; without it the embedded database is used. Its password is never logged or printed',
  }),
  dataDir: declare({
    type: (t) => t.text(),
    default: './.stock-crawler/db',
    setting: true,
    flag: '--data-dir <dir>',
    scope: 'global',
    help: 'directory of the embedded database',
  }),
  brokers: declare({
    type: (t) => t.mirrorList(),
    defaultText: 'the eight mirrors',
    setting: true,
    env: 'BROKER_URLS',
    // Optional value: `health --brokers` alone means "check the mirrors only".
    flag: '--brokers [list]',
    scope: 'global',
    help: 'comma-separated mirror base URLs, each optionally `name=url`; in a config file also an array of `{"name", "url"}`',
  }),
  config: declare({
    type: (t) => t.text(),
    flag: '--config <path>',
    scope: 'global',
    help: 'config file, JSON or YAML with the keys of this table (env STOCK_CRAWLER_CONFIG)',
  }),
  printConfig: declare({
    type: (t) => t.flag(),
    flag: '--print-config',
    scope: 'global',
    help: 'print the effective configuration (secrets masked) and where each value came from, then exit',
  }),

  rowVocabulary: declare({
    type: (t) => t.choice(['backend', 'crawler']),
    defaultText: '`backend` in an adopted table, `crawler` in its own',
    setting: true,
    choices: ['backend', 'crawler'],
    help:
      "what written rows say in `data_source`, `data_quality` and `is_validated`: `backend` writes what the Python backend's writer did " +
      '(`broker_crawler`, `corrected_daily`, `true`); `crawler` keeps the mirror\'s name and `valid`/`weekend`',
  }),

  // ── output ────────────────────────────────────────────────────────────────────────
  logLevel: declare({
    type: (t) => t.choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    setting: true,
    flag: '--log-level <level>',
    scope: 'global',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    help: 'log level; logs go to stderr',
  }),
  quiet: declare({
    type: (t) => t.bool(),
    default: false,
    setting: true,
    flag: '-q, --quiet',
    scope: 'global',
    help: 'warnings and errors only, no progress bar',
  }),
  progressIntervalMs: declare({
    type: (t) => t.int(100, 3_600_000),
    default: 10_000,
    setting: true,
    help: 'progress log line interval when no progress bar is shown',
  }),
  foldIntervalMs: declare({
    type: (t) => t.int(0, 600_000),
    default: 5_000,
    setting: true,
    help: 'on a terminal, repeated warnings of one kind (attempt failed) are counted for this long and said in one line; 0 shows every one',
  }),
  format: declare({
    type: (t) => t.choice(['json', 'table', 'csv']),
    default: 'json',
    flag: '--format <format>',
    scope: ['fetch', 'history', 'symbols', 'verify'],
    choices: ['json', 'table', 'csv'],
    help: 'output format: the JSON document, or a table or CSV for people',
  }),

  shape: declare({
    type: (t) => t.choice(['default', 'legacy']),
    default: 'default',
    flag: '--shape <shape>',
    scope: ['fetch', 'update', 'history'],
    choices: ['default', 'legacy'],
    help: "the JSON document: `default` (the crawler's keys and the old service's), or `legacy`: exactly the old service's document",
  }),

  // ── what to crawl ─────────────────────────────────────────────────────────────────
  symbols: declare({
    type: (t) => t.text(),
    flag: '--symbols <list>',
    scope: ['update', 'verify'],
    help: 'comma-separated symbols instead of every active row of `stocks`',
  }),
  symbolsFile: declare({
    type: (t) => t.text(),
    flag: '--symbols-file <path>',
    scope: ['update', 'verify'],
    help: 'symbols, one per line (# comments); - reads stdin',
  }),
  shard: declare({
    type: (t) => t.shard(),
    defaultText: 'from `JOB_COMPLETION_INDEX`/`JOB_COMPLETIONS`',
    setting: true,
    flag: '--shard <I/N>',
    scope: ['update'],
    help: "this worker's part of the universe, `I/N` with I counting from 0",
  }),
  force: declare({
    type: (t) => t.flag(),
    flag: '--force',
    scope: ['update'],
    help: 'fetch symbols that are already up to date',
  }),
  full: declare({
    type: (t) => t.flag(),
    flag: '--full',
    scope: ['update'],
    help: 'ask for the full history, not just the new bars',
  }),
  skipFresh: declare({
    type: (t) => t.flag(),
    flag: '--skip-fresh',
    scope: ['fetch'],
    help: 'skip, without a request, a symbol already holding the last closed session (the old endpoint without force_update)',
  }),
  detailed: declare({
    type: (t) => t.flag(),
    flag: '--detailed',
    scope: ['update'],
    help: 'also list every symbol in the old per-stock shape (`detailed_results`)',
  }),
  dryRun: declare({
    type: (t) => t.flag(),
    flag: '--dry-run',
    scope: ['fetch', 'update', 'sync'],
    help: 'fetch, parse and validate (or, for sync, read and decide), but write nothing',
  }),

  // ── history ───────────────────────────────────────────────────────────────────────
  from: declare({ type: (t) => t.text(), flag: '--from <date>', scope: ['history', 'verify'], help: 'first day, YYYY-MM-DD' }),
  to: declare({ type: (t) => t.text(), flag: '--to <date>', scope: ['history', 'verify'], help: 'last day, YYYY-MM-DD' }),
  limit: declare({
    type: (t) => t.text(),
    flag: '--limit <n>',
    scope: ['history'],
    help: 'rows per page, 1 to 1000 (default: the whole range on one page; 50 with --page, --sort-by or --shape legacy); CSV: at most this many rows, unbounded',
  }),
  page: declare({ type: (t) => t.text(), flag: '--page <n>', scope: ['history'], help: 'the page to print, from 1 (pages of --limit rows)' }),
  sortBy: declare({
    type: (t) => t.choice(['trade_date', 'close_price', 'volume', 'high_price', 'low_price']),
    flag: '--sort-by <column>',
    scope: ['history'],
    choices: ['trade_date', 'close_price', 'volume', 'high_price', 'low_price'],
    help: 'the column rows are sorted by (ties by date); default trade_date',
  }),
  order: declare({
    type: (t) => t.choice(['asc', 'desc']),
    flag: '--order <order>',
    scope: ['history'],
    choices: ['asc', 'desc'],
    help: 'sort order: asc by default, desc with --shape legacy (the old endpoint\'s)',
  }),

  // ── health ────────────────────────────────────────────────────────────────────────
  db: declare({ type: (t) => t.flag(), flag: '--db', scope: ['health'], help: 'check the database only (a bare --brokers checks the mirrors only)' }),
  healthTimeoutMs: declare({
    type: (t) => t.int(100, 300_000),
    default: 10_000,
    setting: true,
    flag: '--timeout <ms>',
    scope: ['health'],
    help: '`health`: time limit of each check',
  }),
  runMaxAgeMs: declare({
    type: (t) => t.int(60_000, 30 * 86_400_000),
    default: 302_400_000,
    setting: true,
    help: '`health`: a last run older than this (84 h, a weekend) is degraded',
  }),

  // ── the market: the symbol universe and the trading calendar ──────────────────────
  symbolSources: declare({
    type: (t) => t.symbolSources(),
    default: 'TSE=https://isin.twse.com.tw/isin/C_public.jsp?strMode=2,TPEx=https://isin.twse.com.tw/isin/C_public.jsp?strMode=4',
    defaultText: "the exchange's ISIN pages (`strMode=2` listed, `strMode=4` OTC)",
    setting: true,
    help: 'where `sync` reads the universe: comma-separated `MARKET=URL`, markets `TSE` and `TPEx`',
  }),
  symbolTypes: declare({
    type: (t) => t.symbolTypes(),
    default: 'stock,etf,preferred,tdr',
    setting: true,
    help: 'instrument types crawled, by CFI code: stock (ES…), etf (CE…), preferred (EP…), tdr (ED…); also warrant, etn, bond, other',
  }),
  holidaySource: declare({
    type: (t) => t.httpUrl(),
    default: 'https://openapi.twse.com.tw/v1/holidaySchedule/holidaySchedule',
    defaultText: "the exchange's holiday schedule (JSON)",
    setting: true,
    help: 'where `sync` reads the market holidays',
  }),
  sourceTimeoutMs: declare({ type: (t) => t.int(1_000, 600_000), default: 120_000, setting: true, help: 'one request to a reference source (ISIN page, holiday schedule)' }),
  sourceMaxBytes: declare({
    type: (t) => t.int(1_024, 256 * 1024 * 1024),
    default: 64 * 1024 * 1024,
    setting: true,
    help: 'larger reference pages are refused',
  }),
  referenceMaxAgeMs: declare({
    type: (t) => t.int(0, 365 * 86_400_000),
    default: 7 * 86_400_000,
    setting: true,
    help: '`update` without a list syncs the universe and calendar first when they are older than this (7 days); `health` degrades at twice it',
  }),
  noSync: declare({
    type: (t) => t.flag(),
    flag: '--no-sync',
    scope: ['update'],
    help: 'never sync the universe first, however old it is',
  }),
  symbolsOnly: declare({ type: (t) => t.flag(), flag: '--symbols-only', scope: ['sync'], help: 'sync the symbol universe only' }),
  calendarOnly: declare({ type: (t) => t.flag(), flag: '--calendar-only', scope: ['sync'], help: 'sync the trading calendar only' }),
  allowMassDelist: declare({
    type: (t) => t.flag(),
    flag: '--allow-mass-delist',
    scope: ['sync'],
    help: "apply a sync that would deactivate more than 5 % of a market's active symbols",
  }),
  market: declare({ type: (t) => t.choice(['TSE', 'TPEx']), flag: '--market <market>', scope: ['symbols'], choices: ['TSE', 'TPEx'], help: 'one market only' }),
  type: declare({
    type: (t) => t.symbolTypes(),
    flag: '--type <types>',
    scope: ['symbols'],
    help: 'instrument types, comma-separated (stock, etf, preferred, tdr, warrant, etn, bond, other)',
  }),
  all: declare({ type: (t) => t.flag(), flag: '--all', scope: ['symbols', 'verify'], help: 'symbols: delisted symbols too; verify: ask the mirrors about every active symbol' }),

  // ── verify ────────────────────────────────────────────────────────────────────────
  sample: declare({
    type: (t) => t.int(0, 1_000_000),
    default: 50,
    flag: '--sample <n>',
    scope: ['verify'],
    help: 'random active symbols whose bars are checked against the mirrors (0: none)',
  }),
  bars: declare({ type: (t) => t.int(1, 2_880), default: 20, flag: '--bars <k>', scope: ['verify'], help: 'newest stored bars of each symbol compared with the mirrors' }),
  minAgreement: declare({
    type: (t) => t.percent(),
    default: 99.9,
    flag: '--min-agreement <percent>',
    scope: ['verify'],
    help: 'agreement with the mirrors (and --against) below this fails the check (exit 1)',
  }),
  repair: declare({
    type: (t) => t.flag(),
    flag: '--repair',
    scope: ['verify'],
    help: 'where two mirrors agree and the store differs or lacks the bar, write their values (never deletes)',
  }),
  against: declare({
    type: (t) => t.databaseUrl(),
    flag: '--against <url>',
    scope: ['verify'],
    secret: true,
    help: "compare with another database in the old service's shape (read-only; its password is never printed)",
  }),

  // ── the request: which bars ───────────────────────────────────────────────────────
  series: declare({
    type: (t) => t.series(),
    default: 'A',
    setting: true,
    help: 'djbcd `b`: `A` adjusted daily, `D` daily',
  }),
  barCount: declare({ type: (t) => t.int(1, 10_000), default: 2880, setting: true, help: 'djbcd `c`: the most bars asked for' }),
  userAgent: declare({
    type: (t) => t.text(),
    default: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
    defaultText: 'a desktop Chrome',
    setting: true,
    help: 'User-Agent sent to the mirrors; some turn away clients that do not look like a browser',
  }),

  // ── one attempt ───────────────────────────────────────────────────────────────────
  connectTimeoutMs: declare({ type: (t) => t.int(100, 120_000), default: 5_000, setting: true, help: 'connect, per attempt' }),
  headersTimeoutMs: declare({ type: (t) => t.int(100, 300_000), default: 15_000, setting: true, help: 'to the response headers, per attempt' }),
  bodyTimeoutMs: declare({ type: (t) => t.int(100, 300_000), default: 15_000, setting: true, help: 'idle time between body chunks, per attempt' }),
  attemptTimeoutMs: declare({ type: (t) => t.int(100, 600_000), default: 20_000, setting: true, help: 'one attempt in all' }),
  symbolDeadlineMs: declare({ type: (t) => t.int(1_000, 3_600_000), default: 90_000, setting: true, help: 'one symbol, all attempts and waits' }),
  maxBodyBytes: declare({
    type: (t) => t.int(1_024, 256 * 1024 * 1024),
    default: 4 * 1024 * 1024,
    setting: true,
    help: 'larger bodies are refused without being buffered',
  }),

  // ── the polite pool ───────────────────────────────────────────────────────────────
  concurrency: declare({
    type: (t) => t.int(1, 1_024),
    default: 16,
    setting: true,
    flag: '--concurrency <n>',
    scope: CRAWLING,
    help: 'requests in flight over all mirrors',
  }),
  perMirror: declare({
    type: (t) => t.int(1, 64),
    default: 2,
    setting: true,
    flag: '--per-mirror <n>',
    scope: CRAWLING,
    help: 'requests in flight per mirror, and its keep-alive sockets',
  }),
  spacingMs: declare({
    type: (t) => t.int(0, 60_000),
    default: 200,
    setting: true,
    flag: '--spacing-ms <ms>',
    scope: CRAWLING,
    help: 'least time between two requests to one mirror, ×0.5–1.5 jitter',
  }),

  // ── circuit breakers and failover ─────────────────────────────────────────────────
  circuitFailures: declare({ type: (t) => t.int(1, 1_000), default: 5, setting: true, help: "consecutive failures that open a mirror's circuit …" }),
  circuitWindow: declare({ type: (t) => t.int(1, 1_000), default: 20, setting: true, help: '… or this many recent requests …' }),
  circuitRatio: declare({ type: (t) => t.ratio(), default: 0.5, setting: true, help: '… failing at this ratio' }),
  circuitCooldownMs: declare({ type: (t) => t.int(0, 3_600_000), default: 30_000, setting: true, help: 'first cool-down of an open circuit, doubling …' }),
  circuitMaxCooldownMs: declare({ type: (t) => t.int(0, 3_600_000), default: 300_000, setting: true, help: '… up to this; then one trial request decides' }),
  allDownPatienceMs: declare({
    type: (t) => t.int(0, 86_400_000),
    default: 900_000,
    setting: true,
    help: 'with every circuit open, how long to wait for a mirror before exiting 3',
  }),
  mirrorsPerRound: declare({ type: (t) => t.int(1, 16), default: 3, setting: true, help: 'different mirrors per round' }),
  maxRounds: declare({ type: (t) => t.int(1, 10), default: 3, setting: true, help: 'rounds per symbol' }),
  maxAttempts: declare({ type: (t) => t.int(1, 50), default: 8, setting: true, help: 'attempts per symbol' }),
  backoffBaseMs: declare({ type: (t) => t.int(0, 600_000), default: 1_000, setting: true, help: 'backoff between rounds, doubling, full jitter …' }),
  backoffMaxMs: declare({ type: (t) => t.int(0, 600_000), default: 30_000, setting: true, help: '… up to this' }),
  retryAfterMaxMs: declare({
    type: (t) => t.int(0, 3_600_000),
    default: 60_000,
    setting: true,
    help: 'longest `Retry-After` honoured; a longer one drops that mirror for the symbol',
  }),

  // ── the run ───────────────────────────────────────────────────────────────────────
  parserThreads: declare({
    type: (t) => t.int(0, 64),
    default: 1,
    setting: true,
    help: 'parser worker threads (parsing runs at 250+ MB/s; the database, not the parser, limits a backfill); 0 parses on the main thread',
  }),
  readyAt: declare({
    type: (t) => t.clockTime(),
    default: '17:00',
    setting: true,
    help: "local time after which a session's bars are published",
  }),
  timeZone: declare({
    type: (t) => t.timeZone(),
    default: 'Asia/Taipei',
    setting: true,
    help: 'the trading calendar\'s zone ("today" for validation)',
  }),
  confirmBars: declare({
    type: (t) => t.int(1, 100),
    default: 10,
    setting: true,
    help: 'newest bars of a whole history a second mirror must confirm before it is stored (a third decides a disagreement)',
  }),
  overlapBars: declare({ type: (t) => t.int(1, 100), default: 3, setting: true, help: 'stored bars fetched again to detect a revised history' }),
  shutdownGraceMs: declare({
    type: (t) => t.int(0, 600_000),
    default: 20_000,
    setting: true,
    help: 'after SIGTERM/SIGINT, how long symbols in flight may finish before their requests are cancelled',
  }),
  dbRetryMs: declare({
    type: (t) => t.int(0, 3_600_000),
    default: 60_000,
    setting: true,
    help:
      '`update`: when the database goes away mid-run, how long its writes, bookkeeping and run lock are retried (full-jitter backoff) ' +
      'before the run stops with exit 3; no symbol is fetched meanwhile; `0` stops at once',
  }),
  waitLockMs: declare({
    type: (t) => t.int(0, 86_400_000),
    setting: true,
    flag: '--wait-lock [seconds]',
    scope: ['update'],
    fromFlag: waitLockFromFlag,
    help: '`update`: when another update of the same shard is running, wait this long for it instead of exiting 3 at once (the flag takes seconds, 900 when bare)',
  }),

  // ── metrics ───────────────────────────────────────────────────────────────────────
  metricsFile: declare({
    type: (t) => t.text(),
    setting: true,
    flag: '--metrics-file <path>',
    scope: RUNS_WITH_METRICS,
    help: 'write Prometheus metrics here at the end of a run (node_exporter textfile collector)',
  }),
  pushgateway: declare({
    type: (t) => t.httpUrl(),
    setting: true,
    flag: '--pushgateway <url>',
    scope: RUNS_WITH_METRICS,
    help: 'push metrics to this Prometheus Pushgateway at the end of a run',
  }),
} satisfies Record<string, OptionDeclaration>;

export type OptionKey = keyof typeof OPTIONS;

/** The value an option holds once checked. */
export type OptionValue<K extends OptionKey> = (typeof OPTIONS)[K] extends { type: (t: ValueTypes) => infer T extends z.ZodType }
  ? z.output<T>
  : never;

/** The keys of the settings, in declaration order. */
export type SettingKey = {
  [K in OptionKey]: (typeof OPTIONS)[K] extends { setting: true } ? K : never;
}[OptionKey];

export const SETTING_KEYS = (Object.keys(OPTIONS) as OptionKey[]).filter(
  (key): key is SettingKey => (OPTIONS[key] as OptionDeclaration).setting === true,
);

/** `connectTimeoutMs` → `STOCK_CRAWLER_CONNECT_TIMEOUT_MS`, unless the declaration names another. */
export function envNameFor(key: SettingKey): string {
  return (OPTIONS[key] as OptionDeclaration).env ?? `STOCK_CRAWLER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The long flag of an option (`--concurrency`), or undefined when it has none. */
export function flagNameOf(key: OptionKey): string | undefined {
  const flag = (OPTIONS[key] as OptionDeclaration).flag;
  return flag === undefined ? undefined : /--[a-z0-9-]+/.exec(flag)?.[0];
}

/** Whether the command offers the option as a flag. */
export function offers(command: CommandName, key: OptionKey): boolean {
  const { flag, scope } = OPTIONS[key] as OptionDeclaration;
  if (flag === undefined || scope === undefined) return false;
  return scope === 'global' || scope.includes(command);
}
