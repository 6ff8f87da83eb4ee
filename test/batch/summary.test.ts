import { describe, expect, it } from 'vitest';
import { buildBatchSummary, createSummaryAccumulator, emptyCounts, MAX_LISTED_FAILURES, type BuildSummaryInput, type SymbolOutcome } from '../../src/batch/summary.js';
import { batchSummarySchema, type BatchSummary } from '../../src/documents/batch-summary.js';
import { unlistedLegacyKeys } from '../support/legacy-keys.js';
import type { Attempt } from '../../src/mirrors/fetch-symbol.js';

const STARTED = Date.UTC(2026, 0, 5, 10, 0, 0);

// The old service's keys, as a run of no symbol has them; legacy-batch-result.ts is tested on its own.
const legacy = unlistedLegacyKeys(10);
const run = { runId: 'run-1', startedAtMs: STARTED, finishedAtMs: STARTED + 20_000, total: 10, brokers: {}, interrupted: false, dryRun: false, legacy };

/** Every summary goes through the schema, and through JSON, as the CLI prints it. */
function valid(summary: BatchSummary): BatchSummary {
  const parsed = batchSummarySchema.parse(JSON.parse(JSON.stringify(summary)));
  expect(parsed).toEqual(summary);
  return parsed;
}

const attempts: Attempt[] = [
  { broker: 'fubon', status: 503, ms: 120, code: 'E_MIRROR_HTTP', detail: 'HTTP 503' },
  { broker: 'kgi', status: 'E_MIRROR_TIMEOUT', ms: 20_000, code: 'E_MIRROR_TIMEOUT', retryAfterMs: 1_000 },
];

const failed = (stock_code: string): SymbolOutcome => ({ status: 'failed', stock_code, code: 'E_ALL_MIRRORS_FAILED', message: 'every mirror failed', attempts });

describe('createSummaryAccumulator', () => {
  it('tallies outcomes into the backend-shaped summary', () => {
    const summary = createSummaryAccumulator();
    const outcomes: SymbolOutcome[] = [
      { status: 'stored', rows: { created: 1, updated: 0, unchanged: 3, rejected: 0 } },
      { status: 'stored', rows: { created: 2880, rejected: 2 } },
      { status: 'revised', rows: { created: 0, updated: 40, unchanged: 2840 } },
      { status: 'skipped' },
      { status: 'skipped' },
      { status: 'no_data' },
      failed('2317'),
      { status: 'stored' }, // a dry run reports no rows
    ];
    for (const outcome of outcomes) summary.add(outcome);
    expect(summary.progress()).toEqual({ done: 8, failed: 1, skipped: 2 });
    const brokers = { fubon: { requests: 7, ok: 5, errors: 2, circuitOpens: 1, p50Ms: 80.4, p95Ms: 350.6 }, idle: { requests: 0, ok: 0, errors: 0, circuitOpens: 0, p50Ms: null, p95Ms: null } };
    const result = valid(summary.build({ ...run, brokers }));
    expect(result).toMatchObject({
      success: false,
      run_id: 'run-1',
      source: 'node',
      interrupted: false,
      dry_run: false,
      updated_at: '2026-01-05T10:00:20.000Z',
      result: {
        total: 10,
        processed: 6,
        succeeded: 4,
        failed: 1,
        skipped: 2,
        revised: 1,
        no_data: 1,
        aborted: 2,
        rows: { created: 2881, updated: 40, unchanged: 2843, rejected: 2 },
        duration_ms: 20_000,
        symbols_per_second: 0.3,
        brokers: {
          fubon: { requests: 7, ok: 5, errors: 2, circuit_opens: 1, p50_ms: 80, p95_ms: 351 },
          idle: { requests: 0, ok: 0, errors: 0, circuit_opens: 0, p50_ms: null, p95_ms: null },
        },
        failures_omitted: 0,
      },
    });
    expect(result.result.failures).toEqual([{ stock_code: '2317', error: 'E_ALL_MIRRORS_FAILED: every mirror failed', attempts }]);
    const r = result.result;
    expect(r.processed).toBe(r.succeeded + r.failed + r.no_data);
    expect(r.total).toBe(r.processed + r.skipped + r.aborted);
  });

  it('hands out copies of its counts', () => {
    const summary = createSummaryAccumulator();
    const before = summary.counts();
    summary.add({ status: 'stored', rows: { created: 1 } });
    expect(before).toEqual(emptyCounts());
    expect(summary.counts().rows.created).toBe(1);
  });

  it('keeps a 2,000-failure night small: the first failures in full, the rest counted', () => {
    const summary = createSummaryAccumulator();
    for (let i = 0; i < 2_000; i += 1) summary.add(failed(String(1000 + i)));
    const result = valid(summary.build({ ...run, total: 2_000 }));
    expect(result.result.failed).toBe(2_000);
    expect(result.result.failures).toHaveLength(MAX_LISTED_FAILURES);
    expect(result.result.failures[0]?.stock_code).toBe('1000');
    expect(result.result.failures_omitted).toBe(2_000 - MAX_LISTED_FAILURES);
    expect(JSON.stringify(result).length).toBeLessThan(200_000);
  });

  it('takes a smaller failure limit', () => {
    const summary = createSummaryAccumulator({ maxFailures: 2 });
    for (const code of ['1101', '1102', '1103']) summary.add(failed(code));
    const result = valid(summary.build(run));
    expect(result.result.failures.map((f) => f.stock_code)).toEqual(['1101', '1102']);
    expect(result.result.failures_omitted).toBe(1);
  });
});

describe('buildBatchSummary', () => {
  const counts = (overrides: Partial<ReturnType<typeof emptyCounts>> = {}) => ({ ...emptyCounts(), ...overrides });
  const build = (overrides: Partial<BuildSummaryInput>) => valid(buildBatchSummary({ ...run, counts: counts(), failures: [], ...overrides }));

  it.each<[string, Partial<BuildSummaryInput>, boolean]>([
    ['every symbol succeeded', { counts: counts({ succeeded: 10 }) }, true],
    ['everything skipped', { counts: counts({ skipped: 10 }) }, true],
    ['no data is not a failure', { counts: counts({ succeeded: 9, noData: 1 }) }, true],
    ['a dry run that went well', { counts: counts({ succeeded: 10 }), dryRun: true }, true],
    ['one failure', { counts: counts({ succeeded: 9, failed: 1 }) }, false],
    ['a fatal error', { counts: counts({ succeeded: 3 }), fatal: { code: 'E_ALL_MIRRORS_FAILED', message: 'no mirror recovered within 15 min' } }, false],
    ['interrupted, even with no failure', { counts: counts({ succeeded: 3 }), interrupted: true }, false],
  ])('success when %s: %s', (_name, overrides, success) => {
    expect(build(overrides).success).toBe(success);
  });

  it.each<[string, Partial<BuildSummaryInput>, RegExp]>([
    ['a normal run', { counts: counts({ succeeded: 8, skipped: 2, revised: 1 }) }, /^10 of 10 symbols: 8 succeeded \(1 revised\), 0 failed, 2 skipped in 20\.0 s/],
    ['an interrupted run', { counts: counts({ succeeded: 3 }), interrupted: true }, /^interrupted — 3 of 10 symbols: .*7 not attempted/],
    ['a fatal stop', { counts: counts({ succeeded: 3 }), fatal: { code: 'E_ALL_MIRRORS_FAILED', message: 'every mirror down\nfor 15 min' } }, /^stopped by E_ALL_MIRRORS_FAILED: every mirror down for 15 min — 3 of 10/],
    ['a dry run', { counts: counts({ succeeded: 10 }), dryRun: true }, /^dry run, nothing written — 10 of 10/],
  ])('says in one line what happened: %s', (_name, overrides, pattern) => {
    const summary = build(overrides);
    expect(summary.message).toMatch(pattern);
    expect(summary.message).not.toMatch(/[\r\n]/);
  });

  it('reports aborted symbols and flags', () => {
    const summary = build({ counts: counts({ succeeded: 3, skipped: 1 }), interrupted: true, dryRun: true });
    expect(summary.result.aborted).toBe(6);
    expect(summary.interrupted).toBe(true);
    expect(summary.dry_run).toBe(true);
  });

  it.each<[number, number, number]>([
    [100, 20_000, 5],
    [2_000, 300_000, 6.67],
    [5, 0, 0],
    [0, 10_000, 0],
  ])('symbols_per_second for %i processed in %i ms is %d', (succeeded, durationMs, rate) => {
    const summary = build({ counts: counts({ succeeded }), total: succeeded, finishedAtMs: STARTED + durationMs });
    expect(summary.result.symbols_per_second).toBe(rate);
    expect(summary.result.duration_ms).toBe(durationMs);
  });

  it('counts skipped symbols out of the rate: they cost no request', () => {
    const summary = build({ counts: counts({ succeeded: 10, skipped: 1_990 }), total: 2_000 });
    expect(summary.result.processed).toBe(10);
    expect(summary.result.symbols_per_second).toBe(0.5);
  });

  it('lists at most the limit even when handed more', () => {
    const failures = Array.from({ length: 250 }, (_, i) => ({ stock_code: String(1000 + i), code: 'E_FORMAT', message: 'html', attempts: [] }));
    const summary = build({ counts: counts({ failed: 250 }), total: 250, failures });
    expect(summary.result.failures).toHaveLength(MAX_LISTED_FAILURES);
    expect(summary.result.failures_omitted).toBe(50);
  });
});

describe('batchSummarySchema', () => {
  const good = buildBatchSummary({ ...run, counts: emptyCounts(), failures: [] });

  it('accepts a built summary', () => {
    expect(batchSummarySchema.safeParse(good).success).toBe(true);
  });

  it.each<[string, (s: Record<string, unknown>) => void]>([
    ['an extra top-level key', (s) => (s.extra = 1)],
    ['a missing key', (s) => delete s.run_id],
    ['another source', (s) => (s.source = 'python')],
    ['a non-ISO updated_at', (s) => (s.updated_at = 'yesterday')],
    ['a two-line message', (s) => (s.message = 'a\nb')],
    ['an extra result key', (s) => ((s.result as Record<string, unknown>).extra = 1)],
    ['a negative count', (s) => ((s.result as Record<string, unknown>).failed = -1)],
  ])('rejects %s', (_name, mutate) => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    mutate(copy);
    expect(batchSummarySchema.safeParse(copy).success).toBe(false);
  });
});

describe('faults per mirror', () => {
  const stats = (requests: number) => ({ requests, ok: 0, errors: requests, circuitOpens: 0, p50Ms: 1, p95Ms: 2 });

  it('counts every fault under its mirror and kind, failed symbols and stored ones alike', () => {
    const summary = createSummaryAccumulator();
    summary.add({ status: 'stored', faults: [{ broker: 'a', kind: 'reset' }, { broker: 'b', kind: 'disagreement' }] });
    summary.add({ status: 'no_data', faults: [{ broker: 'a', kind: 'reset' }] });
    summary.add({
      status: 'failed',
      stock_code: '2317',
      code: 'E_ALL_MIRRORS_FAILED',
      message: 'every mirror failed',
      attempts,
      faults: [{ broker: 'b', kind: 'http_429' }, { broker: 'c', kind: 'empty' }],
    });
    summary.add({ status: 'skipped' });
    const result = valid(summary.build({ ...run, brokers: { a: stats(2), b: stats(1), idle: stats(0) } }));
    expect(Object.fromEntries(Object.entries(result.result.brokers).map(([name, b]) => [name, b.faults]))).toEqual({
      a: { reset: 2 },
      b: { http_429: 1, disagreement: 1 },
      idle: {},
      // A mirror the scheduler did not list still gets its faults.
      c: { empty: 1 },
    });
    expect(result.result.brokers.c).toMatchObject({ requests: 0, ok: 0, errors: 0 });
  });

  it('adds the tallied faults to faults the stats already carry, and leaves zero counts out', () => {
    const summary = createSummaryAccumulator();
    summary.add({ status: 'stored', faults: [{ broker: 'a', kind: 'timeout' }] });
    const result = valid(summary.build({ ...run, brokers: { a: { ...stats(3), faults: { timeout: 1, html: 0 } } } }));
    expect(result.result.brokers.a!.faults).toEqual({ timeout: 2 });
  });

  it('the schema rejects a fault kind it does not know, or a negative count', () => {
    const summary = createSummaryAccumulator().build({ ...run, brokers: { a: stats(1) } });
    const unknown = structuredClone(summary);
    (unknown.result.brokers.a!.faults as Record<string, number>).gremlins = 1;
    expect(batchSummarySchema.safeParse(unknown).success).toBe(false);
    const negative = structuredClone(summary);
    negative.result.brokers.a!.faults.reset = -1;
    expect(batchSummarySchema.safeParse(negative).success).toBe(false);
    expect(batchSummarySchema.safeParse(summary).success).toBe(true);
  });
});
