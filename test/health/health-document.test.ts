import { describe, expect, it } from 'vitest';
import type { DatabaseCheck } from '../../src/health/decide-health.js';
import { healthDocument, healthExitCode } from '../../src/health/health-document.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

const database: DatabaseCheck = {
  ok: true,
  kind: 'postgres',
  target: 'postgres://crawler:***@db/stocks',
  latencyMs: 4,
  error: null,
  inUseBy: null,
  schema: { current: true, pending: [], unknown: [], missingTables: [], problem: null },
  newestTradeDate: '2026-11-24',
  lastRun: { id: 'r1', job: 'update', shard: '0/4', status: 'succeeded', startedAt: NOW - 3_600_000, heartbeatAt: NOW - 60_000, finishedAt: NOW - 60_000 },
  serverNow: NOW + 1_000,
  reference: { universeSyncedAt: NOW - 86_400_000, calendarSyncedAt: null, activeSymbols: 2_300 },
};

describe('healthDocument', () => {
  it('prints both sides in snake_case with the status, success and source', () => {
    const document = healthDocument(
      { database, brokers: [{ name: 'm0', url: 'http://m0/', ok: false, latencyMs: 12, error: 'E_FORMAT html', latestTradeDate: null }] },
      { status: 'degraded', reasons: ['1 of 1 mirrors failing'] },
      NOW,
    );
    expect(document).toEqual({
      success: true,
      status: 'degraded',
      message: 'degraded: 1 of 1 mirrors failing',
      reasons: ['1 of 1 mirrors failing'],
      database: {
        ok: true,
        kind: 'postgres',
        target: 'postgres://crawler:***@db/stocks',
        latency_ms: 4,
        error: null,
        in_use_by: null,
        schema: { current: true, pending: [], unknown: [], missing_tables: [], problem: null },
        newest_trade_date: '2026-11-24',
        last_run: {
          id: 'r1',
          job: 'update',
          shard: '0/4',
          status: 'succeeded',
          started_at: '2026-11-25T11:00:00.000Z',
          heartbeat_at: '2026-11-25T11:59:00.000Z',
          finished_at: '2026-11-25T11:59:00.000Z',
          age_ms: 3_601_000,
        },
        reference: { universe_synced_at: '2026-11-24T12:00:00.000Z', universe_age_s: 86_401, calendar_synced_at: null, calendar_age_s: null, active_symbols: 2_300 },
      },
      brokers: [{ name: 'm0', url: 'http://m0/', ok: false, latency_ms: 12, error: 'E_FORMAT html', latest_trade_date: null }],
      checked_at: '2026-11-25T12:00:00.000Z',
      source: 'node',
    });
  });

  it('leaves an unchecked side null and says unhealthy is no success', () => {
    const document = healthDocument({ brokers: [] }, { status: 'unhealthy', reasons: ['no mirror is configured'] }, NOW);
    expect(document).toMatchObject({ success: false, status: 'unhealthy', database: null, brokers: [] });
    expect(healthDocument({ database }, { status: 'healthy', reasons: [] }, NOW)).toMatchObject({ success: true, message: 'healthy', brokers: null });
  });
});

describe('healthExitCode', () => {
  it.each([
    ['healthy', 0],
    ['degraded', 1],
    ['unhealthy', 3],
  ] as const)('%s → %d', (status, code) => {
    expect(healthExitCode(status)).toBe(code);
  });
});
