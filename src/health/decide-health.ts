import type { RunStatus } from '../db/runs/runs-repository.js';

/** The last crawl run as the health check saw it; times in epoch milliseconds. */
export interface LastRunFacts {
  id: string;
  job: string;
  shard: string | null;
  status: RunStatus;
  startedAt: number;
  heartbeatAt: number;
  finishedAt: number | null;
}

/** What checking the database found. Plain data: the decision needs no connection. */
export interface DatabaseCheck {
  /** Connected and every query answered. */
  ok: boolean;
  kind: 'postgres' | 'pglite';
  /** Safe to print: the URL with its password masked, or the data directory. */
  target: string;
  latencyMs: number;
  /** `E_… why` when not ok; null otherwise. */
  error: string | null;
  /** The embedded database is held by this live process (a run in progress): not checked, not down. */
  inUseBy: number | null;
  /** Null when the check did not get that far. */
  schema: {
    current: boolean;
    pending: string[];
    /** Applied migrations this build does not know (a newer crawler migrated the database). */
    unknown: string[];
    missingTables: string[];
    /** Why stock_daily_data cannot be used although present (no unique key, odd column type), or null. */
    problem: string | null;
  } | null;
  /** Newest stored trading day over all symbols, YYYY-MM-DD; null when no bars. */
  newestTradeDate: string | null;
  /** The last `update` run, or null when crawl_runs holds none (or does not exist yet). */
  lastRun: LastRunFacts | null;
  /** The database server's clock at the check (epoch ms), so ages do not depend on this machine's clock. */
  serverNow: number | null;
  /** The symbol universe and trading calendar as synced (epoch ms; null: never); null when the tables are missing. */
  reference: ReferenceFacts | null;
}

/** When the reference data were last synced, and how large the universe is. */
export interface ReferenceFacts {
  /** The oldest of the configured markets' last good syncs; null when some market was never synced. */
  universeSyncedAt: number | null;
  calendarSyncedAt: number | null;
  /** Active rows of `stocks`. */
  activeSymbols: number;
}

/** What one mirror answered to a one-bar request. */
export interface BrokerCheck {
  name: string;
  url: string;
  ok: boolean;
  latencyMs: number;
  /** `E_… detail` when not ok, e.g. `E_FORMAT html`, `E_MIRROR_HTTP 503`; null otherwise. */
  error: string | null;
  /** The bar's trading day, YYYY-MM-DD, when one came back. */
  latestTradeDate: string | null;
}

/** The checks that were run; an absent side was not asked for (`--db`, `--brokers`). */
export interface HealthChecks {
  database?: DatabaseCheck | undefined;
  brokers?: readonly BrokerCheck[] | undefined;
}

export interface HealthOptions {
  /** A last run that started longer ago than this is degraded. */
  runMaxAgeMs: number;
  /** A `running` row whose heartbeat is older than this belongs to a dead process. */
  staleHeartbeatMs: number;
  /** The reference data are due a sync after this; older than twice it is degraded. */
  referenceMaxAgeMs: number;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthDecision {
  status: HealthStatus;
  /** Why the status is not `healthy`, one short sentence each; empty when healthy. */
  reasons: string[];
}

/** `update` reports its progress every 5 s; minutes of silence mean the process is gone. */
export const DEFAULT_STALE_HEARTBEAT_MS = 5 * 60_000;

/**
 * The status of a health check, from its findings alone (pure).
 * - unhealthy: the database is down or its schema unusable (every run would exit 3),
 *   or no mirror answered.
 * - degraded: some mirrors fail; the last run failed, was interrupted, died (a `running`
 *   row with a stale heartbeat) or is older than `runMaxAgeMs`; nothing was ever crawled;
 *   the embedded database is in use by another process and could not be checked.
 * - healthy otherwise. A `partial` last run is healthy: it went through its list and
 *   stored what it could (a few symbols failing every night is normal).
 * Ages are measured on the database's clock when known, else on `now`.
 */
export function decideHealth(checks: HealthChecks, now: number, options: HealthOptions): HealthDecision {
  const unhealthy: string[] = [];
  const degraded: string[] = [];
  if (checks.database !== undefined) {
    const verdict = judgeDatabase(checks.database, now, options);
    unhealthy.push(...verdict.unhealthy);
    degraded.push(...verdict.degraded);
  }
  if (checks.brokers !== undefined) {
    const failing = checks.brokers.filter((broker) => !broker.ok);
    if (checks.brokers.length === 0) unhealthy.push('no mirror is configured');
    else if (failing.length === checks.brokers.length) unhealthy.push(`no mirror answered (${failing.length} failing)`);
    else if (failing.length > 0) {
      degraded.push(`${failing.length} of ${checks.brokers.length} mirrors failing: ${failing.map((b) => `${b.name} (${b.error ?? 'failed'})`).join(', ')}`);
    }
  }
  if (unhealthy.length > 0) return { status: 'unhealthy', reasons: [...unhealthy, ...degraded] };
  if (degraded.length > 0) return { status: 'degraded', reasons: degraded };
  return { status: 'healthy', reasons: [] };
}

function judgeDatabase(db: DatabaseCheck, now: number, options: HealthOptions): { unhealthy: string[]; degraded: string[] } {
  if (db.inUseBy !== null) {
    return { unhealthy: [], degraded: [`the embedded database is in use by process ${db.inUseBy} (a run in progress?); not checked`] };
  }
  if (!db.ok) return { unhealthy: [`database unavailable: ${db.error ?? 'unknown error'}`], degraded: [] };
  const schemaProblem = judgeSchema(db);
  if (schemaProblem !== null) return { unhealthy: [schemaProblem], degraded: [] };

  const run = db.lastRun;
  if (run === null) return { unhealthy: [], degraded: ['never crawled: crawl_runs holds no update run'] };
  const clock = db.serverNow ?? now;
  const degraded: string[] = [];
  const age = clock - run.startedAt;
  if (run.status === 'failed') degraded.push(`the last run (${run.id}) failed`);
  if (run.status === 'interrupted') degraded.push(`the last run (${run.id}) was interrupted`);
  if (run.status === 'running' && clock - run.heartbeatAt > options.staleHeartbeatMs) {
    degraded.push(`the last run (${run.id}) is marked running but its heartbeat stopped ${formatAge(clock - run.heartbeatAt)} ago: its process died`);
  }
  if (age > options.runMaxAgeMs) {
    degraded.push(`the last run started ${formatAge(age)} ago (limit ${formatAge(options.runMaxAgeMs)})`);
  }
  degraded.push(...judgeReference(db.reference, clock, options.referenceMaxAgeMs));
  return { unhealthy: [], degraded };
}

/**
 * The universe and calendar go stale when nothing syncs them: `update` without a list syncs
 * once they are older than referenceMaxAgeMs, so twice that means syncing has stopped. One
 * never synced is not stale: the backend may keep `stocks`, and runs may be given lists.
 */
function judgeReference(reference: ReferenceFacts | null, clock: number, maxAgeMs: number): string[] {
  if (reference === null) return [];
  const reasons: string[] = [];
  const limit = 2 * maxAgeMs;
  for (const [what, at] of [['symbol universe', reference.universeSyncedAt], ['trading calendar', reference.calendarSyncedAt]] as const) {
    if (at !== null && clock - at > limit) reasons.push(`the ${what} was last synced ${formatAge(clock - at)} ago (limit ${formatAge(limit)})`);
  }
  return reasons;
}

/**
 * A server schema that is not current stops every run (exit 3). The embedded database
 * migrates itself when a run opens it, so migrations merely pending there are not a fault.
 */
function judgeSchema(db: DatabaseCheck): string | null {
  const schema = db.schema;
  if (schema === null) return 'the schema could not be read';
  if (schema.unknown.length > 0) return `the database was migrated by a newer stock-crawler (${schema.unknown.join(', ')})`;
  if (schema.problem !== null) return schema.problem;
  if (schema.current || db.kind === 'pglite') return null;
  const parts = [
    ...(schema.missingTables.length > 0 ? [`missing tables: ${schema.missingTables.join(', ')}`] : []),
    ...(schema.pending.length > 0 ? [`pending migrations: ${schema.pending.join(', ')}`] : []),
  ];
  return `the schema is not current (${parts.join('; ')}); run \`stock-crawler migrate\``;
}

/** A duration for people, in the largest unit that still reads ≥ 2: 90 s → '90 s', 100 h → '4.2 d'. */
export function formatAge(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(ms) >= size * 2 || unit === 's') return `${Number((ms / size).toFixed(1))} ${unit}`;
  }
  return `${ms} ms`;
}
