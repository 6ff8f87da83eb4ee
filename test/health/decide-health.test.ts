import { describe, expect, it } from 'vitest';
import {
  decideHealth,
  formatAge,
  type BrokerCheck,
  type DatabaseCheck,
  type HealthChecks,
  type HealthStatus,
  type LastRunFacts,
} from '../../src/health/decide-health.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const HOUR = 3_600_000;
const OPTIONS = { runMaxAgeMs: 84 * HOUR, staleHeartbeatMs: 5 * 60_000, referenceMaxAgeMs: 7 * 24 * HOUR };

function run(fields: Partial<LastRunFacts> = {}): LastRunFacts {
  return {
    id: 'run-1',
    job: 'update',
    shard: null,
    status: 'succeeded',
    startedAt: NOW - 10 * HOUR,
    heartbeatAt: NOW - 9 * HOUR,
    finishedAt: NOW - 9 * HOUR,
    ...fields,
  };
}

function db(fields: Partial<DatabaseCheck> = {}): DatabaseCheck {
  return {
    ok: true,
    kind: 'postgres',
    target: 'postgres://u:***@h/db',
    latencyMs: 3,
    error: null,
    inUseBy: null,
    schema: { current: true, pending: [], unknown: [], missingTables: [], problem: null },
    newestTradeDate: '2026-11-24',
    lastRun: run(),
    serverNow: null,
    reference: null,
    ...fields,
  };
}

function broker(name: string, ok: boolean): BrokerCheck {
  return { name, url: `http://${name}/`, ok, latencyMs: 10, error: ok ? null : 'E_MIRROR_HTTP 503', latestTradeDate: ok ? '2026-11-24' : null };
}

const allUp = [broker('a', true), broker('b', true)];
const oneDown = [broker('a', true), broker('b', false)];
const allDown = [broker('a', false), broker('b', false)];

const cases: Array<{ name: string; checks: HealthChecks; status: HealthStatus; reason?: RegExp }> = [
  { name: 'everything fine', checks: { database: db(), brokers: allUp }, status: 'healthy' },
  { name: 'a partial last run is fine', checks: { database: db({ lastRun: run({ status: 'partial' }) }), brokers: allUp }, status: 'healthy' },
  { name: 'a run in progress with a fresh heartbeat', checks: { database: db({ lastRun: run({ status: 'running', startedAt: NOW - HOUR, heartbeatAt: NOW - 5_000, finishedAt: null }) }) }, status: 'healthy' },
  { name: 'some mirrors failing', checks: { database: db(), brokers: oneDown }, status: 'degraded', reason: /1 of 2 mirrors failing: b \(E_MIRROR_HTTP 503\)/ },
  { name: 'the last run failed', checks: { database: db({ lastRun: run({ status: 'failed' }) }), brokers: allUp }, status: 'degraded', reason: /failed/ },
  { name: 'the last run was interrupted', checks: { database: db({ lastRun: run({ status: 'interrupted' }) }) }, status: 'degraded', reason: /interrupted/ },
  { name: 'a universe synced 13 days ago is fine', checks: { database: db({ reference: { universeSyncedAt: NOW - 13 * 24 * HOUR, calendarSyncedAt: NOW - HOUR, activeSymbols: 2000 } }) }, status: 'healthy' },
  { name: 'a universe never synced is fine while stocks has symbols', checks: { database: db({ reference: { universeSyncedAt: null, calendarSyncedAt: null, activeSymbols: 2000 } }) }, status: 'healthy' },
  { name: 'a universe synced 15 days ago (twice the limit) is degraded', checks: { database: db({ reference: { universeSyncedAt: NOW - 15 * 24 * HOUR, calendarSyncedAt: NOW - HOUR, activeSymbols: 2000 } }) }, status: 'degraded', reason: /symbol universe was last synced 15 d ago \(limit 14 d\)/ },
  { name: 'an old calendar is degraded', checks: { database: db({ reference: { universeSyncedAt: NOW - HOUR, calendarSyncedAt: NOW - 20 * 24 * HOUR, activeSymbols: 2000 } }) }, status: 'degraded', reason: /trading calendar was last synced 20 d ago/ },
  { name: 'a universe and calendar never synced are not stale', checks: { database: db({ reference: { universeSyncedAt: null, calendarSyncedAt: null, activeSymbols: 0 } }) }, status: 'healthy' },
  { name: 'the last run is too old', checks: { database: db({ lastRun: run({ startedAt: NOW - 85 * HOUR }) }) }, status: 'degraded', reason: /started 3\.5 d ago \(limit 3\.5 d\)/ },
  { name: 'just inside the age limit', checks: { database: db({ lastRun: run({ startedAt: NOW - 84 * HOUR }) }) }, status: 'healthy' },
  { name: 'a running row whose heartbeat stopped', checks: { database: db({ lastRun: run({ status: 'running', startedAt: NOW - HOUR, heartbeatAt: NOW - 10 * 60_000, finishedAt: null }) }) }, status: 'degraded', reason: /heartbeat stopped 10 min ago: its process died/ },
  { name: 'never crawled', checks: { database: db({ lastRun: null, newestTradeDate: null }), brokers: allUp }, status: 'degraded', reason: /never crawled/ },
  { name: 'ages on the database clock', checks: { database: db({ serverNow: NOW + 80 * HOUR }) }, status: 'degraded', reason: /started/ },
  { name: 'the embedded database in use by a run', checks: { database: db({ ok: false, kind: 'pglite', inUseBy: 4242, schema: null, lastRun: null }) }, status: 'degraded', reason: /process 4242/ },
  { name: 'the database down', checks: { database: db({ ok: false, error: 'E_DB_UNAVAILABLE refused', schema: null, lastRun: null }), brokers: allUp }, status: 'unhealthy', reason: /database unavailable: E_DB_UNAVAILABLE refused/ },
  { name: 'the database down and a mirror failing: both reasons', checks: { database: db({ ok: false, error: 'E_DB_UNAVAILABLE x', schema: null }), brokers: oneDown }, status: 'unhealthy', reason: /mirrors failing/ },
  { name: 'no mirror answering', checks: { database: db(), brokers: allDown }, status: 'unhealthy', reason: /no mirror answered/ },
  { name: 'no mirror configured', checks: { brokers: [] }, status: 'unhealthy' },
  { name: 'a server schema with pending migrations', checks: { database: db({ schema: { current: false, pending: ['0002-crawl-runs'], unknown: [], missingTables: [], problem: null } }) }, status: 'unhealthy', reason: /pending migrations: 0002-crawl-runs.*migrate/ },
  { name: 'a server without tables', checks: { database: db({ schema: { current: false, pending: ['0001', '0002'], unknown: [], missingTables: ['stocks', 'stock_daily_data'], problem: null }, lastRun: null }) }, status: 'unhealthy', reason: /missing tables/ },
  { name: 'an embedded schema with pending migrations migrates itself', checks: { database: db({ kind: 'pglite', schema: { current: false, pending: ['0002-crawl-runs'], unknown: [], missingTables: [], problem: null } }) }, status: 'healthy' },
  { name: 'a database migrated by a newer crawler', checks: { database: db({ kind: 'pglite', schema: { current: false, pending: [], unknown: ['0009-future'], missingTables: [], problem: null } }) }, status: 'unhealthy', reason: /newer stock-crawler/ },
  { name: 'an unusable stock_daily_data', checks: { database: db({ schema: { current: true, pending: [], unknown: [], missingTables: [], problem: 'no unique key' } }) }, status: 'unhealthy', reason: /no unique key/ },
  { name: 'the mirrors only, all fine', checks: { brokers: allUp }, status: 'healthy' },
  { name: 'the database only, fine', checks: { database: db() }, status: 'healthy' },
];

describe('decideHealth', () => {
  it.each(cases)('$name → $status', ({ checks, status, reason }) => {
    const decision = decideHealth(checks, NOW, OPTIONS);
    expect(decision.status).toBe(status);
    if (status === 'healthy') expect(decision.reasons).toEqual([]);
    else expect(decision.reasons.length).toBeGreaterThan(0);
    if (reason) expect(decision.reasons.join('; ')).toMatch(reason);
  });

  it('lists every reason, not just the first', () => {
    const decision = decideHealth({ database: db({ lastRun: run({ status: 'failed', startedAt: NOW - 100 * HOUR }) }), brokers: oneDown }, NOW, OPTIONS);
    expect(decision.status).toBe('degraded');
    expect(decision.reasons).toHaveLength(3);
  });
});

describe('formatAge', () => {
  it.each([
    [1_500, '1.5 s'],
    [90_000, '90 s'],
    [10 * 60_000, '10 min'],
    [84 * HOUR, '3.5 d'],
    [30 * HOUR, '30 h'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
