import { describe, expect, it } from 'vitest';
import { calendarDateIn, isKnownTimeZone } from '../src/clock.js';

describe('calendarDateIn', () => {
  it('gives the Taipei date, which runs eight hours ahead of UTC', () => {
    const lateUtc = Date.UTC(2026, 10, 25, 17, 30); // 01:30 on the 26th in Taipei
    expect(calendarDateIn(lateUtc, 'Asia/Taipei')).toBe('2026-11-26');
    expect(calendarDateIn(lateUtc, 'UTC')).toBe('2026-11-25');
  });

  it('knows real zones and refuses made-up ones', () => {
    expect(isKnownTimeZone('Asia/Taipei')).toBe(true);
    expect(isKnownTimeZone('Asia/Nowhere')).toBe(false);
    // Names outside Intl's canonical list that Intl still accepts.
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('US/Eastern')).toBe(true);
  });
});
