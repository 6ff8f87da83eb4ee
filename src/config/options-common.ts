import { declare } from './option-declaration.js';

/** Where the data lives and how a run reports: options every command takes. */
export const COMMON_OPTIONS = {
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
};
