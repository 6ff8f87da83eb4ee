import { EXIT_CODES } from '../errors.js';
import type { BrokerCheck, DatabaseCheck, HealthChecks, HealthDecision, HealthStatus } from './decide-health.js';

/** The `database` section of the health document (snake_case, as the backend reads it). */
export interface DatabaseSection {
  ok: boolean;
  kind: 'postgres' | 'pglite';
  /** The URL with its password masked, or the data directory. */
  target: string;
  latency_ms: number;
  error: string | null;
  in_use_by: number | null;
  schema: { current: boolean; pending: string[]; unknown: string[]; missing_tables: string[]; problem: string | null } | null;
  newest_trade_date: string | null;
  last_run: {
    id: string;
    job: string;
    shard: string | null;
    status: string;
    started_at: string;
    heartbeat_at: string;
    finished_at: string | null;
    /** Since it started, on the database's clock. */
    age_ms: number;
  } | null;
  /** When the universe and the calendar were last synced (null: never), and the active symbols. */
  reference: {
    universe_synced_at: string | null;
    /** Since the universe's last good sync, on the database's clock; null when never synced. */
    universe_age_s: number | null;
    calendar_synced_at: string | null;
    calendar_age_s: number | null;
    active_symbols: number;
  } | null;
}

export interface BrokerSection {
  name: string;
  url: string;
  ok: boolean;
  latency_ms: number;
  error: string | null;
  latest_trade_date: string | null;
}

/** What `stock-crawler health` prints. A side not checked (`--db`, `--brokers`) is null. */
export interface HealthDocument {
  success: boolean;
  status: HealthStatus;
  message: string;
  reasons: string[];
  database: DatabaseSection | null;
  brokers: BrokerSection[] | null;
  checked_at: string;
  source: 'node';
}

/** Turns the checks and their verdict into the printed document (pure). `checkedAt` in epoch ms. */
export function healthDocument(checks: HealthChecks, decision: HealthDecision, checkedAt: number): HealthDocument {
  return {
    success: decision.status !== 'unhealthy',
    status: decision.status,
    message: decision.reasons.length === 0 ? decision.status : `${decision.status}: ${decision.reasons.join('; ')}`,
    reasons: decision.reasons,
    database: checks.database === undefined ? null : databaseSection(checks.database, checkedAt),
    brokers: checks.brokers === undefined ? null : checks.brokers.map(brokerSection),
    checked_at: new Date(checkedAt).toISOString(),
    source: 'node',
  };
}

/** 0 healthy, 1 degraded, 3 unhealthy: what a readiness probe or a cron job branches on. */
export function healthExitCode(status: HealthStatus): number {
  if (status === 'healthy') return EXIT_CODES.ok;
  return status === 'degraded' ? EXIT_CODES.failed : EXIT_CODES.unavailable;
}

function databaseSection(check: DatabaseCheck, checkedAt: number): DatabaseSection {
  const run = check.lastRun;
  return {
    ok: check.ok,
    kind: check.kind,
    target: check.target,
    latency_ms: check.latencyMs,
    error: check.error,
    in_use_by: check.inUseBy,
    schema:
      check.schema === null
        ? null
        : {
            current: check.schema.current,
            pending: check.schema.pending,
            unknown: check.schema.unknown,
            missing_tables: check.schema.missingTables,
            problem: check.schema.problem,
          },
    newest_trade_date: check.newestTradeDate,
    last_run:
      run === null
        ? null
        : {
            id: run.id,
            job: run.job,
            shard: run.shard,
            status: run.status,
            started_at: new Date(run.startedAt).toISOString(),
            heartbeat_at: new Date(run.heartbeatAt).toISOString(),
            finished_at: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
            age_ms: Math.max(0, (check.serverNow ?? checkedAt) - run.startedAt),
          },
    reference:
      check.reference === null
        ? null
        : {
            universe_synced_at: isoOrNull(check.reference.universeSyncedAt),
            universe_age_s: ageSeconds(check.reference.universeSyncedAt, check.serverNow ?? checkedAt),
            calendar_synced_at: isoOrNull(check.reference.calendarSyncedAt),
            calendar_age_s: ageSeconds(check.reference.calendarSyncedAt, check.serverNow ?? checkedAt),
            active_symbols: check.reference.activeSymbols,
          },
  };
}

function ageSeconds(epochMs: number | null, now: number): number | null {
  return epochMs === null ? null : Math.max(0, Math.round((now - epochMs) / 1000));
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}

function brokerSection(check: BrokerCheck): BrokerSection {
  return {
    name: check.name,
    url: check.url,
    ok: check.ok,
    latency_ms: check.latencyMs,
    error: check.error,
    latest_trade_date: check.latestTradeDate,
  };
}
