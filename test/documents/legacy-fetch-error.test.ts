import { describe, expect, it } from 'vitest';
import {
  buildLegacyFetchError,
  buildLegacyFetchErrorKeys,
  legacyFetchErrorKeysSchema,
  legacyFetchErrorSchema,
} from '../../src/documents/legacy-fetch-error.js';
import { legacyFixture, shapeOf, throughJson } from './json-shape.js';

describe('the old fetch failure', () => {
  it('parses the fixture, and nothing with a key more or of another type', async () => {
    const fixture = await legacyFixture('fetch-error.json');
    expect(legacyFetchErrorSchema.parse(fixture)).toEqual(fixture);
    expect(legacyFetchErrorSchema.safeParse({ ...fixture, status: 'error' }).success).toBe(false);
    expect(legacyFetchErrorSchema.safeParse({ detail: ['x'] }).success).toBe(false);
  });

  it('builds {detail} with the old text when no mirror delivered', async () => {
    const fixture = await legacyFixture('fetch-error.json');
    const built = throughJson(buildLegacyFetchError({ symbol: '2330', failure: 'unavailable' }));
    expect(shapeOf(built)).toBe(shapeOf(fixture));
    expect(built).toEqual(fixture);
  });

  it('builds {detail} for a refused symbol and an internal error', () => {
    expect(buildLegacyFetchError({ symbol: '23X0', failure: 'invalid_symbol' })).toEqual({
      detail: 'Invalid stock symbol: 23X0. Must be 4 to 6 digits and an optional letter.',
    });
    expect(buildLegacyFetchError({ symbol: '2330', failure: 'internal' })).toEqual({
      detail: 'Internal server error while processing daily data for 2330',
    });
  });

  it("gives a failed default document status 'error', the symbol, the old detail and a timestamp", () => {
    const keys = buildLegacyFetchErrorKeys({ symbol: '2330', failure: 'unavailable', epochMs: Date.parse('2025-09-11T10:00:00Z'), timeZone: 'Asia/Taipei' });
    expect(legacyFetchErrorKeysSchema.parse(throughJson(keys))).toEqual({
      status: 'error',
      stock_symbol: '2330',
      detail: 'Failed to fetch daily data for stock 2330. The broker data sources may be unavailable.',
      timestamp: '2025-09-11T18:00:00.000000',
    });
  });
});
