import { describe, expect, it } from 'vitest';
import { buildLegacyBatchDocument, legacyBatchDocumentSchema } from '../../src/documents/legacy-batch-document.js';
import { buildLegacyBatchResult } from '../../src/documents/legacy-batch-result.js';
import { keysOf, legacyFixture, shapeOf, throughJson } from './json-shape.js';

describe('the old batch document', () => {
  it("parses the backend client's wrapper, and nothing with a key more", async () => {
    const fixture = await legacyFixture('batch.json');
    expect(legacyBatchDocumentSchema.parse(fixture)).toEqual(fixture);
    expect(legacyBatchDocumentSchema.safeParse({ ...fixture, run_id: 'x' }).success).toBe(false);
    expect(legacyBatchDocumentSchema.safeParse({ ...fixture, source: 'go' }).success).toBe(false);
  });

  it('builds the wrapper with exactly the old keys, in the old order, of the old types, saying who answered', async () => {
    const fixture = await legacyFixture('batch.json');
    const result = buildLegacyBatchResult({
      taskId: '9e9c2216-8a43-4bb5-9d1c-3f0e2b7c5a11',
      totalStocks: 3,
      executionTimeSeconds: 2.5,
      timeZone: 'Asia/Taipei',
      stocks: [
        { stock_code: '2330', status: 'success', recordsProcessed: 4, created: 1, updated: 0, unchanged: 3, epochMs: Date.parse('2025-09-11T10:30:00Z') },
        { stock_code: '1101', status: 'skipped', latestDate: '2025-09-10', epochMs: Date.parse('2025-09-11T10:30:00Z') },
        { stock_code: '2454', status: 'failed', error: 'E_ALL_MIRRORS_FAILED: every mirror failed' },
      ],
    });
    const built = throughJson(buildLegacyBatchDocument({ success: false, message: '3 of 3 symbols: 1 succeeded, 1 failed, 1 skipped', result }));
    expect(keysOf(built)).toEqual(keysOf(fixture));
    // task_id aside (the run id here, a string; the old int where the backend has a task row), the shapes are one
    const withOldTaskId = { ...(built as Record<string, unknown>), result: { ...result, task_id: 187 } };
    expect(shapeOf(withOldTaskId)).toBe(shapeOf(fixture));
    expect(legacyBatchDocumentSchema.parse(built)).toMatchObject({ success: false, source: 'node' });
  });
});
