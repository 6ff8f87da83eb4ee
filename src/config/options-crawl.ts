import { CRAWLING, declare, RUNS_WITH_METRICS } from './option-declaration.js';

/** Seconds as typed to `--wait-lock`; bare, 15 minutes; what is not a number the type refuses. */
function waitLockFromFlag(value: string | boolean): unknown {
  if (value === true) return 15 * 60_000;
  if (typeof value !== 'string') return value;
  // Not Number('') alone: that is 0, which would quietly mean "do not wait".
  const seconds = value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN;
}

/** How the mirrors are asked: the request, one attempt, the polite pool, circuits and failover, the run, metrics. */
export const CRAWL_OPTIONS = {
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
};
