import { describe, expect, it } from 'vitest';
import { windowCount } from '../../src/verify/check-agreement.js';
import { barSeries, weekdays } from '../support/bars.js';

describe('windowCount', () => {
  const days = weekdays('2026-10-19', 20); // … Fri 13 November

  it('asks for the weekdays from the oldest compared bar to the last session, and a little more', () => {
    expect(windowCount(barSeries('2330', days), '2026-11-13')).toBe(23);
  });

  it('reaches back as far when the store is behind the session or has holes', () => {
    expect(windowCount(barSeries('2330', days.slice(0, -2)), '2026-11-13')).toBe(23);
    expect(windowCount(barSeries('2330', days.filter((_, i) => i % 2 === 0)), '2026-11-13')).toBe(23);
  });

  it('covers a stored bar newer than the session', () => {
    expect(windowCount(barSeries('2330', [...days, '2026-11-16']), '2026-11-13')).toBe(24);
  });
});
