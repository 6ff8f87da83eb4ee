import { z } from 'zod';
import { isKnownTimeZone } from '../clock.js';
import { UsageError } from '../errors.js';
import { normaliseMirrors, parseMirrorList, type MirrorEntry } from '../mirrors/mirror-list.js';

/**
 * Every option, declared once: type, range and default here; its environment name
 * comes from {@link envNameFor}. Flags and config-file keys use the same names, so
 * `--connect-timeout-ms`, `{"connectTimeoutMs": …}` and STOCK_CRAWLER_CONNECT_TIMEOUT_MS
 * are one option. Units are in the names (…Ms, …Bytes).
 */
const int = (min: number, max: number) => decimal(z.number().int().min(min).max(max));

/** A decimal number as people type it; what else a string holds (``, `0x10`, `5 ms`) is no number. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Numbers from flags, the environment and files. Not z.coerce: that reads an empty value
 * as 0, `0x10` as 16, `true` as 1 and `[5]` as 5; here those are refused as what they are.
 */
function decimal<T extends z.ZodNumber>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    return DECIMAL.test(text) ? Number(text) : value;
  }, schema);
}

const bool = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lowered = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(lowered)) return false;
  return value;
}, z.boolean());

/** More shards than this is a typo, not a deployment; the same bound as src/batch/shard.ts. */
const MAX_SHARDS = 10_000;

function isShardInRange(spec: string): boolean {
  const [index, count] = spec.split('/').map(Number) as [number, number];
  return count >= 1 && count <= MAX_SHARDS && index < count;
}

const mirrorEntry = z.union([z.string(), z.object({ name: z.string().optional(), url: z.string() })]);

/** A mirror list is checked with the config, so that a bad one is refused by every command alike. */
function checkMirrors(value: string | MirrorEntry[], context: z.RefinementCtx): void {
  try {
    if (typeof value === 'string') parseMirrorList(value);
    else normaliseMirrors(value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
  }
}

/** `postgres://…` or `postgresql://…` (or pg's `socket:` form): what the driver and the redaction of passwords understand. */
function isDatabaseUrl(text: string): boolean {
  return URL.canParse(text) && ['postgres:', 'postgresql:', 'socket:'].includes(new URL(text).protocol);
}

export const configSchema = z.object({
  databaseUrl: z
    .string()
    .min(1)
    .refine(isDatabaseUrl, 'expected a postgres:// or postgresql:// URL, e.g. postgres://crawler@db:5432/stocks')
    .optional().describe('PostgreSQL URL; without it an embedded database is used'),
  dataDir: z.string().min(1).default('./.stock-crawler/db').describe('directory of the embedded database'),
  brokers: z
    .union([z.string(), z.array(mirrorEntry)])
    .superRefine(checkMirrors)
    .optional()
    .describe('mirrors: comma-separated base URLs, each optionally name=url (default: the eight known mirrors)'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level (logs go to stderr)'),
  quiet: bool.default(false).describe('no progress output; warnings and errors only'),
  series: z.string().regex(/^[A-Za-z0-9]{1,3}$/, 'one to three letters or digits').default('A').describe('djbcd series `b` (A = adjusted daily)'),
  barCount: int(1, 10_000).default(2880).describe('djbcd `c`: the most bars asked for'),
  userAgent: z.string().min(1).optional().describe('User-Agent sent to the mirrors (default: a current desktop browser)'),
  connectTimeoutMs: int(100, 120_000).default(5_000).describe('connect timeout per attempt'),
  headersTimeoutMs: int(100, 300_000).default(15_000).describe('time to response headers per attempt'),
  bodyTimeoutMs: int(100, 300_000).default(15_000).describe('idle time between body chunks per attempt'),
  attemptTimeoutMs: int(100, 600_000).default(20_000).describe('whole-attempt time limit'),
  symbolDeadlineMs: int(1_000, 3_600_000).default(90_000).describe('time limit for one symbol, all attempts included'),
  maxBodyBytes: int(1_024, 256 * 1024 * 1024).default(4 * 1024 * 1024).describe('largest response body accepted'),
  concurrency: int(1, 1_024).default(16).describe('requests in flight over all mirrors'),
  perMirror: int(1, 64).default(2).describe('requests in flight per mirror (also its keep-alive sockets)'),
  spacingMs: int(0, 60_000).default(200).describe('least time between two requests to one mirror (×0.5–1.5 jitter)'),
  circuitFailures: int(1, 1_000).default(5).describe('consecutive failures that open a mirror\'s circuit'),
  circuitWindow: int(1, 1_000).default(20).describe('recent requests over which the failure ratio is taken'),
  circuitRatio: decimal(z.number().gt(0).max(1)).default(0.5).describe('failure ratio over the window that opens the circuit'),
  circuitCooldownMs: int(0, 3_600_000).default(30_000).describe('first cool-down of an open circuit (doubling)'),
  circuitMaxCooldownMs: int(0, 3_600_000).default(300_000).describe('longest cool-down'),
  allDownPatienceMs: int(0, 86_400_000).default(900_000).describe('how long to wait for a mirror to recover when all are down before exiting 3'),
  mirrorsPerRound: int(1, 16).default(3).describe('different mirrors tried per round'),
  maxRounds: int(1, 10).default(3).describe('rounds per symbol'),
  maxAttempts: int(1, 50).default(8).describe('attempts per symbol across all rounds'),
  backoffBaseMs: int(0, 600_000).default(1_000).describe('first backoff between rounds (doubling, full jitter)'),
  backoffMaxMs: int(0, 600_000).default(30_000).describe('largest backoff between rounds'),
  retryAfterMaxMs: int(0, 3_600_000).default(60_000).describe('longest Retry-After honoured'),
  parserThreads: int(0, 64).optional().describe('parser worker threads (default 1: parsing is not what limits a run; 0 parses on the main thread)'),
  readyAt: z
    .string()
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM')
    .default('17:00')
    .describe('local time after which the day\'s bars are published'),
  overlapBars: int(1, 100).default(3).describe('stored bars fetched again to detect revised history'),
  shutdownGraceMs: int(0, 600_000).default(20_000).describe('after SIGTERM/SIGINT, how long symbols in flight may finish before their requests are cancelled'),
  dbRetryMs: int(0, 3_600_000).default(60_000).describe('update: how long a lost database connection is retried (full-jitter backoff) before the run stops with exit 3; 0: stop at once'),
  waitLockMs: int(0, 86_400_000)
    .optional()
    .describe('update: how long to wait for another update of the same shard to finish (default: exit 3 at once)'),
  progressIntervalMs: int(100, 3_600_000).default(10_000).describe('progress log interval when no progress bar is shown'),
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, 'I/N, e.g. 0/4')
    .refine(isShardInRange, `I/N with 0 ≤ I < N ≤ ${MAX_SHARDS} (I counts from 0), e.g. 0/4`)
    .optional()
    .describe('this worker\'s part of the universe, I/N with I from 0; default from JOB_COMPLETION_INDEX/JOB_COMPLETIONS'),
  metricsFile: z.string().min(1).optional().describe('write Prometheus metrics here at the end of a run (node_exporter textfile collector)'),
  pushgateway: z.string().url().optional().describe('push metrics to this Prometheus Pushgateway at the end of a run'),
  runMaxAgeMs: int(60_000, 30 * 86_400_000).default(302_400_000).describe('health: the last run older than this is degraded (default 84 h: a weekend)'),
  healthTimeoutMs: int(100, 300_000).default(10_000).describe('health: time limit of each check'),
  timeZone: z.string().refine(isKnownTimeZone, 'unknown time zone').default('Asia/Taipei').describe('time zone of the trading calendar'),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];

/** Keys whose values are never printed or logged as they are. */
export const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set<ConfigKey>(['databaseUrl']);

const ENV_OVERRIDES: Partial<Record<ConfigKey, string>> = {
  databaseUrl: 'DATABASE_URL',
  brokers: 'BROKER_URLS',
};

/** `connectTimeoutMs` → `STOCK_CRAWLER_CONNECT_TIMEOUT_MS`; a few keep their well-known names. */
export function envNameFor(key: ConfigKey): string {
  return ENV_OVERRIDES[key] ?? `STOCK_CRAWLER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}
