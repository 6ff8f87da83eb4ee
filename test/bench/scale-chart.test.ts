import { describe, expect, it } from 'vitest';
import { niceScale, scaleChartSvg, type ScalePoint } from './scale-chart.js';

const points: ScalePoint[] = [
  { symbols: 500, backfillWallS: 6, nightlyWallS: 2, backfillRssMb: 160, nightlyRssMb: 118 },
  { symbols: 2000, backfillWallS: 21, nightlyWallS: 4, backfillRssMb: 220, nightlyRssMb: 125 },
  { symbols: 8000, backfillWallS: 85, nightlyWallS: 14, backfillRssMb: 235, nightlyRssMb: 131 },
];

function polylines(svg: string): Array<Array<[number, number]>> {
  return [...svg.matchAll(/<polyline[^>]* points="([^"]+)"/g)].map((match) =>
    (match[1] as string).split(' ').map((pair) => pair.split(',').map(Number) as [number, number]),
  );
}

describe('scaleChartSvg', () => {
  const svg = scaleChartSvg(points, 'a <caption> & more');

  it('draws backfill and nightly in both panels, one vertex per size', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const lines = polylines(svg);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toHaveLength(3);
  });

  it('places larger sizes further right and larger values higher (smaller y)', () => {
    for (const line of polylines(svg)) {
      expect(line[0]![0]).toBeLessThan(line[1]![0]);
      expect(line[1]![0]).toBeLessThan(line[2]![0]);
      expect(line[0]![1]).toBeGreaterThan(line[2]![1]);
    }
    // Backfill wall above nightly wall at every size (time panel: the first two lines).
    const [backfill, nightly] = polylines(svg);
    for (let i = 0; i < 3; i += 1) expect(backfill![i]![1]).toBeLessThan(nightly![i]![1]);
  });

  it('escapes the caption and labels the sizes', () => {
    expect(svg).toContain('a &lt;caption&gt; &amp; more');
    expect(svg).toContain('>8,000<');
  });
});

describe('niceScale', () => {
  it('ends at the first 1, 2 or 5 step at or above the maximum, in at most five steps', () => {
    expect(niceScale(4.51)).toEqual({ top: 5, step: 1 });
    expect(niceScale(161.9)).toEqual({ top: 200, step: 50 });
    expect(niceScale(100)).toEqual({ top: 100, step: 20 });
    expect(niceScale(0)).toEqual({ top: 1, step: 0.2 });
  });
});
