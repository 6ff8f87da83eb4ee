import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { column } from '../../src/core/daily-series.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { benchHistory, djbcdBody, weekdaysEnding } from './bench-history.js';
import { sectionBounds, tailBody } from './djbcd-tail.js';

describe('tailBody', () => {
  const history = benchHistory('2330', weekdaysEnding('2026-11-20', 40));
  const full = Buffer.from(djbcdBody(history, 40), 'latin1');
  const bounds = sectionBounds(full);

  it('finds the six sections', () => {
    expect(bounds).toHaveLength(6);
  });

  it.each([1, 2, 4, 17, 39, 40, 41, 2880])('cuts the last %i bars exactly as the body of that many is built', (count) => {
    expect(tailBody(full, bounds, count).toString('latin1')).toBe(djbcdBody(history, count));
  });

  it('gives a body the crawler parses to the newest bars', () => {
    const parsed = parseDjbcd(tailBody(full, bounds, 4));
    expect(parsed.count).toBe(4);
    expect(Array.from(column(parsed, 'close'))).toEqual(history.close.slice(-4).map(Number));
  });
});
