import { describe, expect, it } from 'vitest';
import { packBars } from '../../../src/db/bars/packed-bars.js';
import { packedUpsertParameters } from '../../../src/db/bars/upsert-parameters.js';
import { bar } from '../helpers.js';

describe('packed bars', () => {
  const groups = [
    { symbol: '2330', source: 'm1', bars: [bar('2330', '2024-01-05', 580.25, { volume: 12 }), bar('2330', '2024-01-06', 581, { data_quality: 'weekend' as const })] },
    { symbol: '2317', source: 'm2', bars: [bar('2317', '2024-01-05', 101.5)] },
    { symbol: '1101', source: 'm3', bars: [] },
  ];

  it('keeps every value, day and quality in its column', () => {
    const packed = packBars(groups[0]!);
    expect(packed.count).toBe(2);
    expect(packed.days).toEqual(['2024-01-05', '2024-01-06']);
    expect(Array.from(packed.values)).toEqual([579.25, 580, 582.25, 583, 578.25, 579, 580.25, 581, 12, 1000]);
    expect(Array.from(packed.weekend)).toEqual([0, 1]);
  });

  it('gives the upsert statement its nine array literals, row by row across symbols', () => {
    expect(packedUpsertParameters(groups.map(packBars))).toEqual([
      '{"2330","2330","2317"}',
      '{"2024-01-05","2024-01-06","2024-01-05"}',
      '{579.25,580,100.5}',
      '{582.25,583,103.5}',
      '{578.25,579,99.5}',
      '{580.25,581,101.5}',
      '{12,1000,1000}',
      '{"valid","weekend","valid"}',
      '{"m1","m1","m2"}',
    ]);
  });
});
