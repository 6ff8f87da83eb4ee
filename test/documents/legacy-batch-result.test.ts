import { describe, expect, it } from 'vitest';
import {
  buildLegacyBatchKeys,
  buildLegacyBatchResult,
  legacyBatchKeysSchema,
  legacyBatchResultSchema,
  type LegacyBatchInput,
} from '../../src/documents/legacy-batch-result.js';
import { keysOf, legacyFixture, shapeOf, throughJson } from './json-shape.js';

const T0 = Date.parse('2025-09-11T10:30:00Z');

/** The run batch.json describes, as the CLI would report it. */
const input: LegacyBatchInput = {
  taskId: 187,
  totalStocks: 5,
  executionTimeSeconds: 14.482107162475586,
  timeZone: 'Asia/Taipei',
  stocks: [
    { stock_code: '2317', status: 'success', recordsProcessed: 1440, created: 1, updated: 2, unchanged: 1437, epochMs: T0 + 4118.734 },
    { stock_code: '1101', status: 'skipped', latestDate: '2025-09-10', epochMs: T0 + 1902.215 },
    { stock_code: '2330', status: 'success', recordsProcessed: 1440, created: 1, updated: 0, unchanged: 1439, epochMs: T0 + 5630.082 },
    { stock_code: '2603', status: 'success', recordsProcessed: 1440, created: 1440, updated: 0, unchanged: 0, epochMs: T0 + 9457.361 },
    { stock_code: '2454', status: 'failed', error: 'Failed to fetch data from all brokers for stock 2454' },
  ],
};

describe('the old batch result', () => {
  it('parses the fixture, and refuses a key more, a key less or a key of another type', async () => {
    const { result } = (await legacyFixture('batch.json')) as { result: Record<string, unknown> };
    expect(legacyBatchResultSchema.parse(result)).toEqual(result);
    const { skipped_stocks: _dropped, ...missing } = result;
    for (const changed of [{ ...result, run_id: 'x' }, missing, { ...result, execution_time: '14.5' }, { ...result, total_stocks: 5.5 }, { ...result, task_id: 'not-a-uuid' }]) {
      expect(legacyBatchResultSchema.safeParse(changed).success).toBe(false);
    }
  });

  it('takes the run id (a UUID) as task_id where the backend has no task row', async () => {
    const { result } = (await legacyFixture('batch.json')) as { result: Record<string, unknown> };
    expect(legacyBatchResultSchema.safeParse({ ...result, task_id: '9e9c2216-8a43-4bb5-9d1c-3f0e2b7c5a11' }).success).toBe(true);
  });
});

describe('buildLegacyBatchResult', () => {
  it('reproduces the fixture from the same outcomes: keys, order, types and values', async () => {
    const { result: fixture } = (await legacyFixture('batch.json')) as { result: Record<string, unknown> };
    const built = throughJson(buildLegacyBatchResult(input));
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyBatchResultSchema.parse(built)).toEqual(fixture);
  });

  it('counts and sums only what each outcome adds, as the old updater did', () => {
    const result = buildLegacyBatchResult({ ...input, taskId: '9e9c2216-8a43-4bb5-9d1c-3f0e2b7c5a11', totalStocks: 7, stocks: input.stocks });
    expect(result).toMatchObject({
      task_id: '9e9c2216-8a43-4bb5-9d1c-3f0e2b7c5a11',
      total_stocks: 7,
      successful_updates: 3,
      failed_updates: 1,
      skipped_updates: 1,
      total_records_processed: 4320,
      total_records_created: 1442,
      total_records_updated: 2878,
    });
    const empty = buildLegacyBatchResult({ ...input, totalStocks: 0, stocks: [] });
    expect(legacyBatchResultSchema.parse(empty)).toMatchObject({ successful_updates: 0, successful_stocks: [], detailed_results: [] });
  });
});

describe('buildLegacyBatchKeys', () => {
  it('gives every old key for a default result; detailed_results only when asked', async () => {
    const { result: fixture } = (await legacyFixture('batch.json')) as { result: Record<string, unknown> };
    const detailed = throughJson(buildLegacyBatchKeys(input, { detailed: true }));
    expect(shapeOf(legacyBatchKeysSchema.parse(detailed))).toBe(shapeOf(fixture));
    const plain = throughJson(buildLegacyBatchKeys(input, { detailed: false })) as Record<string, unknown>;
    expect(legacyBatchKeysSchema.parse(plain)).not.toHaveProperty('detailed_results');
    const { detailed_results: _entries, ...withoutEntries } = fixture;
    expect(shapeOf(plain)).toBe(shapeOf(withoutEntries));
    // spread into a default result that has keys of its own: every old key keeps its old type
    const superset = throughJson({ total: 5, processed: 4, succeeded: 3, ...buildLegacyBatchKeys(input, { detailed: true }) }) as Record<string, unknown>;
    expect(shapeOf(Object.fromEntries(keysOf(fixture).map((key) => [key, superset[key]])))).toBe(shapeOf(fixture));
  });
});
