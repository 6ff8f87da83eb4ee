import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BatchSymbolResult } from '../../src/batch/run-batch.js';
import type { UpsertCounts } from '../../src/db/bars/daily-bars-repository.js';
import { createSummaryAccumulator, type SymbolOutcome } from '../../src/batch/summary.js';
import { METRIC } from '../../src/metrics/metric-names.js';
import { REQUEST_OUTCOMES, requestOutcome, type AttemptSample } from '../../src/metrics/request-outcome.js';
import { createRunMetrics, ROW_KINDS } from '../../src/metrics/run-metrics.js';
import { SYMBOL_OUTCOMES } from '../../src/metrics/run-record.js';
import { runRecordFromSummary } from '../../src/batch/summary-run-record.js';
import { toOutcome } from '../../src/batch/symbol-outcome.js';
import type { Attempt } from '../../src/mirrors/fetch-symbol.js';
import { find, parseExposition, valueOf } from './exposition.js';
import { unlistedLegacyKeys } from '../support/legacy-keys.js';

const STARTED = Date.UTC(2026, 10, 25, 10, 0, 0);
const FINISHED = STARTED + 312_400;

const attempts: Attempt[] = [
  { broker: 'fubon', status: 200, ms: 212 },
  { broker: 'fubon', status: 200, ms: 80 },
  { broker: 'fubon', status: 503, ms: 120, code: 'E_MIRROR_HTTP', detail: 'HTTP 503' },
  { broker: 'kgi', status: 429, ms: 40, code: 'E_MIRROR_HTTP', retryAfterMs: 1_000 },
  { broker: 'kgi', status: 404, ms: 30, code: 'E_MIRROR_HTTP' },
  { broker: 'kgi', status: 'E_MIRROR_TIMEOUT', ms: 20_000, code: 'E_MIRROR_TIMEOUT' },
  { broker: 'kgi', status: 'E_MIRROR_NETWORK', ms: 3, code: 'E_MIRROR_NETWORK' },
  // A 200 whose body was an HTML page: a format failure, whatever the status said.
  { broker: 'kgi', status: 200, ms: 60, code: 'E_FORMAT', detail: 'html: <html>' },
  { broker: 'kgi', status: 'E_MIRROR_TOO_LARGE', ms: 900, code: 'E_MIRROR_TOO_LARGE' },
];

const failed = (stock_code: string): SymbolOutcome => ({
  status: 'failed',
  stock_code,
  code: 'E_ALL_MIRRORS_FAILED',
  message: 'every mirror failed',
  attempts: attempts.slice(2),
});

/** A night of nine symbols (one never attempted) through the real summary accumulator. */
function night(options: { failures?: number; dryRun?: boolean } = {}) {
  const accumulator = createSummaryAccumulator();
  const outcomes: SymbolOutcome[] = [
    { status: 'stored', rows: { created: 1, updated: 0, unchanged: 3, rejected: 0 } },
    { status: 'stored', rows: { created: 2880, rejected: 2 } },
    { status: 'revised', rows: { created: 0, updated: 40, unchanged: 2840 } },
    { status: 'stored', rows: { created: 1, updated: 5, unchanged: 3 } },
    { status: 'skipped' },
    { status: 'skipped' },
    { status: 'no_data' },
    ...Array.from({ length: options.failures ?? 1 }, (_, i) => failed(String(2317 + i))),
  ];
  for (const outcome of outcomes) accumulator.add(outcome);
  const brokers = {
    fubon: { requests: 3, ok: 2, errors: 1, circuitOpens: 0, p50Ms: 120, p95Ms: 212 },
    kgi: { requests: 6, ok: 0, errors: 6, circuitOpens: 2, p50Ms: 60, p95Ms: 20_000 },
  };
  const total = outcomes.length + 1;
  const summary = accumulator.build({ runId: 'run-1', startedAtMs: STARTED, finishedAtMs: FINISHED, total, brokers, interrupted: false, dryRun: options.dryRun ?? false, legacy: unlistedLegacyKeys(total) });
  return { outcomes, summary };
}

async function recorded(options: { failures?: number; dryRun?: boolean; shard?: string } = {}) {
  const { outcomes, summary } = night(options);
  const metrics = createRunMetrics({ command: 'update', shard: options.shard });
  for (const attempt of attempts) metrics.observeAttempt(attempt);
  for (const outcome of outcomes) metrics.observeSymbol(outcome);
  metrics.recordRun(runRecordFromSummary(summary));
  return { metrics, summary, text: await metrics.text() };
}

describe('createRunMetrics', () => {
  it('renders valid exposition text carrying the counts of the run', async () => {
    const { text, summary } = await recorded({ failures: 0, shard: '1/4' });
    expect(summary.success).toBe(true);
    const exposition = parseExposition(text);
    for (const name of Object.values(METRIC)) expect(exposition.types.has(name), name).toBe(true);
    expect(exposition.types.get(METRIC.requestDuration)).toBe('histogram');

    // Every series says which command and shard it is from.
    for (const sample of exposition.samples) expect(sample.labels).toMatchObject({ command: 'update', shard: '1/4' });

    expect(valueOf(exposition, METRIC.symbols, { outcome: 'stored' })).toBe(3);
    expect(valueOf(exposition, METRIC.symbols, { outcome: 'revised' })).toBe(1);
    expect(valueOf(exposition, METRIC.symbols, { outcome: 'no_data' })).toBe(1);
    expect(valueOf(exposition, METRIC.symbols, { outcome: 'skipped' })).toBe(2);
    expect(valueOf(exposition, METRIC.symbols, { outcome: 'failed' })).toBe(0);
    expect(valueOf(exposition, METRIC.symbols, { outcome: 'aborted' })).toBe(1);
    const symbolSum = find(exposition, METRIC.symbols).reduce((sum, sample) => sum + sample.value, 0);
    expect(symbolSum).toBe(summary.result.total);

    // The revised history's 40 rewritten rows move from `updated` to `revised`; the kinds still add up.
    expect(valueOf(exposition, METRIC.rows, { kind: 'created' })).toBe(2882);
    expect(valueOf(exposition, METRIC.rows, { kind: 'updated' })).toBe(5);
    expect(valueOf(exposition, METRIC.rows, { kind: 'revised' })).toBe(40);
    expect(valueOf(exposition, METRIC.rows, { kind: 'unchanged' })).toBe(2846);
    expect(valueOf(exposition, METRIC.rows, { kind: 'rejected' })).toBe(2);
    const { rows } = summary.result;
    expect(find(exposition, METRIC.rows).reduce((sum, sample) => sum + sample.value, 0)).toBe(rows.created + rows.updated + rows.unchanged + rows.rejected);

    expect(valueOf(exposition, METRIC.circuitOpens, { mirror: 'fubon' })).toBe(0);
    expect(valueOf(exposition, METRIC.circuitOpens, { mirror: 'kgi' })).toBe(2);

    expect(valueOf(exposition, METRIC.requests, { mirror: 'fubon', outcome: 'ok' })).toBe(2);
    expect(valueOf(exposition, METRIC.requests, { mirror: 'fubon', outcome: 'http_5xx' })).toBe(1);
    for (const outcome of ['http_429', 'http_4xx', 'timeout', 'network', 'format', 'too_large']) {
      expect(valueOf(exposition, METRIC.requests, { mirror: 'kgi', outcome }), outcome).toBe(1);
    }
    expect(find(exposition, METRIC.requests, { mirror: 'kgi', outcome: 'ok' })).toEqual([]);

    expect(valueOf(exposition, `${METRIC.requestDuration}_count`, { mirror: 'fubon' })).toBe(3);
    expect(valueOf(exposition, `${METRIC.requestDuration}_sum`, { mirror: 'fubon' })).toBeCloseTo(0.412, 6);
    expect(valueOf(exposition, `${METRIC.requestDuration}_bucket`, { mirror: 'kgi', le: '0.05' })).toBe(3);
    expect(valueOf(exposition, `${METRIC.requestDuration}_bucket`, { mirror: 'kgi', le: '+Inf' })).toBe(6);

    expect(valueOf(exposition, METRIC.runDuration)).toBeCloseTo(312.4, 6);
    expect(valueOf(exposition, METRIC.runFinished)).toBe(FINISHED / 1000);
    expect(valueOf(exposition, METRIC.runSucceeded)).toBe(1);
    expect(valueOf(exposition, METRIC.lastSuccess)).toBe(FINISHED / 1000);
  });

  it('leaves the last-success time out of a run that failed, or wrote nothing', async () => {
    const failedRun = await recorded({ failures: 2 });
    expect(failedRun.metrics.countsAsSuccess()).toBe(false);
    const exposition = parseExposition(failedRun.text);
    expect(valueOf(exposition, METRIC.symbols, { outcome: 'failed' })).toBe(2);
    expect(valueOf(exposition, METRIC.runSucceeded)).toBe(0);
    expect(find(exposition, METRIC.lastSuccess)).toEqual([]);
    // An unsharded run says so.
    expect(exposition.samples[0]!.labels).toMatchObject({ shard: 'all' });

    // A dry run succeeds, but stored nothing: the alert must not be fooled by it.
    const dryRun = await recorded({ failures: 0, dryRun: true });
    expect(dryRun.metrics.countsAsSuccess()).toBe(false);
    expect(valueOf(parseExposition(dryRun.text), METRIC.runSucceeded)).toBe(1);
    expect(find(parseExposition(dryRun.text), METRIC.lastSuccess)).toEqual([]);

    // The publisher may carry an earlier success time over; a success's own time is never replaced.
    dryRun.metrics.keepLastSuccess(1_700_000_000);
    expect(valueOf(parseExposition(await dryRun.metrics.text()), METRIC.lastSuccess)).toBe(1_700_000_000);
    const success = await recorded({ failures: 0 });
    success.metrics.keepLastSuccess(1_700_000_000);
    expect(valueOf(parseExposition(await success.metrics.text()), METRIC.lastSuccess)).toBe(FINISHED / 1000);
  });

  it('never puts a symbol in a label: the series do not grow with the number of symbols', async () => {
    const few = await recorded({ failures: 1 });
    const many = await recorded({ failures: 500 });
    const series = (text: string) => parseExposition(text).samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    expect(series(many.text)).toEqual(series(few.text));

    const symbols = new Set(many.summary.result.failures.map((failure) => failure.stock_code));
    const allowed: Record<string, ReadonlySet<string>> = {
      command: new Set(['update']),
      shard: new Set(['all']),
      mirror: new Set(['fubon', 'kgi']),
      outcome: new Set<string>([...REQUEST_OUTCOMES, ...SYMBOL_OUTCOMES]),
      kind: new Set<string>(ROW_KINDS),
      le: new Set(['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '20', '30', '+Inf']),
    };
    for (const sample of parseExposition(many.text).samples) {
      for (const [label, value] of Object.entries(sample.labels)) {
        expect(allowed[label]?.has(value), `${sample.name} ${label}=${value}`).toBe(true);
        expect(symbols.has(value)).toBe(false);
      }
    }
  });

  it('keeps to its own registry, so runs in one process never clash and the global one stays empty', async () => {
    await recorded();
    await recorded();
    expect(await register.metrics()).not.toContain('stock_crawler');
  });
});

describe('requestOutcome', () => {
  it('maps every attempt onto the fixed outcome set', () => {
    const cases: Array<[AttemptSample, string]> = [
      [{ broker: 'm', status: 200, ms: 1 }, 'ok'],
      [{ broker: 'm', status: 502, ms: 1, code: 'E_MIRROR_HTTP' }, 'http_5xx'],
      [{ broker: 'm', status: 429, ms: 1, code: 'E_MIRROR_HTTP' }, 'http_429'],
      [{ broker: 'm', status: 403, ms: 1, code: 'E_MIRROR_HTTP' }, 'http_4xx'],
      [{ broker: 'm', status: 302, ms: 1, code: 'E_MIRROR_HTTP' }, 'http_other'],
      [{ broker: 'm', status: 'E_MIRROR_HTTP', ms: 1, code: 'E_MIRROR_HTTP' }, 'http_other'],
      [{ broker: 'm', status: 'E_MIRROR_TIMEOUT', ms: 1, code: 'E_MIRROR_TIMEOUT' }, 'timeout'],
      [{ broker: 'm', status: 'E_MIRROR_NETWORK', ms: 1, code: 'E_MIRROR_NETWORK' }, 'network'],
      [{ broker: 'm', status: 'E_FORMAT', ms: 1, code: 'E_FORMAT' }, 'format'],
      [{ broker: 'm', status: 'E_MIRROR_TOO_LARGE', ms: 1, code: 'E_MIRROR_TOO_LARGE' }, 'too_large'],
      [{ broker: 'm', status: 'E_SOMETHING_NEW', ms: 1, code: 'E_SOMETHING_NEW' }, 'other'],
    ];
    for (const [attempt, outcome] of cases) expect(requestOutcome(attempt), JSON.stringify(attempt)).toBe(outcome);
  });
});

describe('the record of a fetch: its one-symbol summary', () => {
  const finishedAtMs = STARTED + 1_500;
  const success = (input: number, counts: UpsertCounts | null): BatchSymbolResult => ({
    symbol: '2330',
    status: 'stored',
    broker: 'fubon',
    plan: 'full',
    bars: input - 1,
    validation: { input, accepted: input - 1, rejected: 1, duplicates: 0, weekend: 0, byRule: {} },
    counts,
    revised: false,
    confirmed: true,
    attempts: attempts.slice(0, 1),
    faults: [],
  });
  const recordOf = (result: BatchSymbolResult) => {
    const accumulator = createSummaryAccumulator();
    accumulator.add(toOutcome(result));
    const summary = accumulator.build({ runId: 'r', startedAtMs: STARTED, finishedAtMs, total: 1, brokers: {}, interrupted: false, dryRun: false, legacy: unlistedLegacyKeys(1) });
    return runRecordFromSummary(summary);
  };

  it('records one stored symbol, one without data, or one failure', () => {
    const stored = recordOf(success(10, { created: 7, updated: 1, unchanged: 1 }));
    expect(stored).toMatchObject({ durationMs: 1_500, succeeded: true, dryRun: false, rows: { created: 7, updated: 1, unchanged: 1, rejected: 1 } });
    expect(stored.symbols).toEqual({ stored: 1, revised: 0, no_data: 0, skipped: 0, failed: 0, aborted: 0 });

    expect(recordOf(success(0, { created: 0, updated: 0, unchanged: 0 })).symbols.no_data).toBe(1);

    const failure = recordOf({ symbol: '2330', status: 'failed', code: 'E_ALL_MIRRORS_FAILED', message: 'no', attempts, faults: [] });
    expect(failure).toMatchObject({ succeeded: false, symbols: { failed: 1, stored: 0 }, rows: { created: 0, rejected: 0 } });
  });
});
