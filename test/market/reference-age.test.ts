import { describe, expect, it } from 'vitest';
import { isOlderThan, referenceAge } from '../../src/market/reference-age.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const at = (daysAgo: number): Date => new Date(NOW - daysAgo * DAY);

describe('referenceAge', () => {
  it('dates the universe by its oldest market and the calendar by its own sync', () => {
    const age = referenceAge(
      {
        sources: [
          { source: 'TSE', syncedAt: at(1), lastError: null },
          { source: 'TPEx', syncedAt: at(3), lastError: 'http_status: HTTP 503' },
          { source: 'holidays', syncedAt: at(10), lastError: null },
        ],
        activeSymbols: 46,
        holidays: { count: 18 },
      },
      NOW,
      ['TSE', 'TPEx'],
    );
    expect(age).toEqual({
      universe: {
        syncedAt: at(3),
        ageMs: 3 * DAY,
        activeSymbols: 46,
        markets: {
          TSE: { syncedAt: at(1), ageMs: DAY, lastError: null },
          TPEx: { syncedAt: at(3), ageMs: 3 * DAY, lastError: 'http_status: HTTP 503' },
        },
      },
      calendar: { syncedAt: at(10), ageMs: 10 * DAY, holidays: 18, lastError: null },
    });
  });

  it('has no age for a market never synced, nor for a calendar never synced', () => {
    const age = referenceAge({ sources: [{ source: 'TSE', syncedAt: at(1), lastError: null }], activeSymbols: 0, holidays: { count: 0 } }, NOW, ['TSE', 'TPEx']);
    expect(age.universe).toMatchObject({ syncedAt: null, ageMs: null, activeSymbols: 0 });
    expect(age.calendar).toEqual({ syncedAt: null, ageMs: null, holidays: 0, lastError: null });
    // Only the configured markets count.
    expect(referenceAge({ sources: [{ source: 'TSE', syncedAt: at(1), lastError: null }], activeSymbols: 0, holidays: { count: 0 } }, NOW, ['TSE']).universe.ageMs).toBe(DAY);
  });

  it('judges staleness; never synced is always stale', () => {
    expect(isOlderThan(null, 7 * DAY)).toBe(true);
    expect(isOlderThan(7 * DAY, 7 * DAY)).toBe(false);
    expect(isOlderThan(7 * DAY + 1, 7 * DAY)).toBe(true);
  });
});
