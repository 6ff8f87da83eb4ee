import { declare } from './option-declaration.js';

/** The options of particular commands: what to crawl, history's paging, health, the market, verify. */
export const COMMAND_OPTIONS = {
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
    help: '`update` without a list (and not sharded) syncs the universe and calendar first when the universe is empty or older than this (7 days); `health` degrades at twice it',
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
};
