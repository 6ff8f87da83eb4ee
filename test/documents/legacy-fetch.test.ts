import { describe, expect, it } from 'vitest';
import {
  buildLegacyFetchDocument,
  buildLegacyFetchKeys,
  legacyFetchDocumentSchema,
  legacyFetchSkippedKeysSchema,
  legacyFetchSkippedSchema,
  legacyFetchSuccessKeysSchema,
  legacyFetchSuccessSchema,
  type LegacyFetchSkippedInput,
  type LegacyFetchStoredInput,
} from '../../src/documents/legacy-fetch.js';
import { keysOf, legacyFixture, shapeOf, throughJson } from './json-shape.js';

const stored: LegacyFetchStoredInput = {
  status: 'success',
  symbol: '2330',
  recordsProcessed: 1440,
  created: 1,
  updated: 3,
  unchanged: 1436,
  mirrorCount: 8,
  epochMs: Date.parse('2025-09-11T10:31:07.482Z') + 0.913,
  timeZone: 'Asia/Taipei',
};

const skipped: LegacyFetchSkippedInput = {
  status: 'skipped',
  symbol: '2330',
  latestDate: '2025-09-11',
  epochMs: Date.parse('2025-09-12T00:15:42.907Z') + 0.311,
  timeZone: 'Asia/Taipei',
};

describe('the old fetch fixtures', () => {
  it('parse with their schemas', async () => {
    expect(legacyFetchSuccessSchema.parse(await legacyFixture('fetch-success.json')).status).toBe('success');
    expect(legacyFetchSkippedSchema.parse(await legacyFixture('fetch-skipped.json')).status).toBe('skipped');
    expect(legacyFetchDocumentSchema.parse(await legacyFixture('fetch-skipped.json')).status).toBe('skipped');
  });

  it('are refused with a key more, a key less or a key of another type', async () => {
    const success = await legacyFixture('fetch-success.json');
    const { records_created: _dropped, ...missing } = success;
    for (const changed of [{ ...success, success: true }, missing, { ...success, records_created: '1' }, { ...success, records_updated: 1.5 }]) {
      expect(legacyFetchSuccessSchema.safeParse(changed).success).toBe(false);
    }
    const skip = await legacyFixture('fetch-skipped.json');
    expect(legacyFetchSkippedSchema.safeParse({ ...skip, latest_date: 20250911 }).success).toBe(false);
    expect(legacyFetchDocumentSchema.safeParse({ ...skip, status: 'error' }).success).toBe(false);
  });
});

describe('buildLegacyFetchDocument', () => {
  it('builds the stored document with exactly the old keys, in the old order, of the old types', async () => {
    const fixture = await legacyFixture('fetch-success.json');
    const built = throughJson(buildLegacyFetchDocument(stored));
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyFetchSuccessSchema.parse(built)).toEqual({
      status: 'success',
      stock_symbol: '2330',
      message: 'Successfully processed daily data for stock 2330',
      records_processed: 1440,
      records_created: 1,
      // every row that existed already, changed or not, as the old writer counted
      records_updated: 1439,
      timestamp: '2025-09-11T18:31:07.482913',
      data_sources: '8 broker websites',
      data_quality: 'adjusted_daily_prices',
    });
  });

  it('builds the skipped document with exactly the old keys, in the old order, of the old types', async () => {
    const fixture = await legacyFixture('fetch-skipped.json');
    const built = throughJson(buildLegacyFetchDocument(skipped));
    expect(keysOf(built)).toEqual(keysOf(fixture));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(legacyFetchSkippedSchema.parse(built)).toEqual({ ...fixture, timestamp: '2025-09-12T08:15:42.907311' });
  });

  it('names the mirrors configured, as the old text named its eight', () => {
    expect(buildLegacyFetchDocument({ ...stored, mirrorCount: 3 }).data_sources).toBe('3 broker websites');
  });
});

describe('buildLegacyFetchKeys', () => {
  it('gives the old keys but message, for a default document that has its own message', async () => {
    for (const [input, name, schema] of [
      [stored, 'fetch-success.json', legacyFetchSuccessKeysSchema],
      [skipped, 'fetch-skipped.json', legacyFetchSkippedKeysSchema],
    ] as const) {
      const fixture = await legacyFixture(name);
      const keys = buildLegacyFetchKeys(input);
      expect(keys).not.toHaveProperty('message');
      expect(schema.parse(throughJson(keys))).toEqual(keys);
      // a default document: its own keys, the old keys spread in; every old key is there with the old type
      const superset = throughJson({ success: true, message: 'its own text', stock_code: '2330', data: [], ...keys, source: 'node' }) as Record<string, unknown>;
      const old = Object.fromEntries(keysOf(fixture).map((key) => [key, superset[key]]));
      expect(shapeOf(old)).toBe(shapeOf(fixture));
    }
  });
});
