import { describe, expect, it } from 'vitest';
import { buildLegacyStockResult, legacyStockResultSchema } from '../../src/documents/legacy-stock-result.js';
import { keysOf, legacyFixture, shapeOf, throughJson } from './json-shape.js';

const ZONE = 'Asia/Taipei';

/** The fixture's detailed_results entry of `status`. */
async function fixtureEntry(status: string): Promise<Record<string, unknown>> {
  const batch = await legacyFixture('batch.json');
  const entries = (batch.result as { detailed_results: Array<Record<string, unknown>> }).detailed_results;
  const entry = entries.find((item) => item.status === status);
  if (entry === undefined) throw new Error(`batch.json has no ${status} entry`);
  return entry;
}

describe('buildLegacyStockResult', () => {
  it('builds the success entry with the old keys and types', async () => {
    const built = throughJson(
      buildLegacyStockResult({ stock_code: '2330', status: 'success', recordsProcessed: 4, created: 1, updated: 0, unchanged: 3, epochMs: Date.parse('2025-09-11T10:30:05.630Z') }, ZONE),
    );
    const fixture = await fixtureEntry('success');
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyStockResultSchema.parse(built)).toEqual({
      stock_code: '2330',
      status: 'success',
      records_processed: 4,
      records_created: 1,
      records_updated: 3,
      timestamp: '2025-09-11T18:30:05.630000',
    });
  });

  it('builds the skipped entry with the old keys and types', async () => {
    const built = throughJson(buildLegacyStockResult({ stock_code: '1101', status: 'skipped', latestDate: '2025-09-10', epochMs: Date.parse('2025-09-11T10:30:01.902Z') + 0.215 }, ZONE));
    const fixture = await fixtureEntry('skipped');
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyStockResultSchema.parse(built)).toEqual(fixture);
  });

  it('builds the failed entry with the old keys and types', async () => {
    const built = throughJson(buildLegacyStockResult({ stock_code: '2454', status: 'failed', error: 'E_ALL_MIRRORS_FAILED: every mirror failed' }, ZONE));
    const fixture = await fixtureEntry('failed');
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyStockResultSchema.parse(built)).toMatchObject({ status: 'failed', records_processed: 0, records_created: 0, records_updated: 0 });
  });

  it('refuses an entry mixing the forms', async () => {
    const failed = await fixtureEntry('failed');
    expect(legacyStockResultSchema.safeParse({ ...failed, timestamp: '2025-09-11T18:30:05.630000' }).success).toBe(false);
    expect(legacyStockResultSchema.safeParse({ ...failed, status: 'success' }).success).toBe(false);
  });
});
