import { describe, expect, it } from 'vitest';
import { formatLegacyLatestDate, legacyLatestDateSchema } from '../../src/documents/legacy-latest-date.js';

describe('formatLegacyLatestDate', () => {
  it("prints a trading day as the old service printed its stored midnight-UTC timestamp", () => {
    expect(formatLegacyLatestDate('2025-09-10')).toBe('2025-09-10T00:00:00+00:00');
    expect(legacyLatestDateSchema.parse(formatLegacyLatestDate('2025-09-10'))).toBe('2025-09-10T00:00:00+00:00');
  });

  it('refuses anything but a YYYY-MM-DD day', () => {
    for (const bad of ['2025-9-10', '2025-09-10T00:00:00Z', '', '20250910']) expect(() => formatLegacyLatestDate(bad), bad).toThrow(RangeError);
  });

  it('accepts the ISO forms a reader of the old documents parses, and null', () => {
    for (const good of ['2025-09-10', '2025-09-10T00:00:00', '2025-09-10T00:00:00+00:00', '2025-09-10T00:00:00.5Z', null]) {
      expect(legacyLatestDateSchema.safeParse(good).success, String(good)).toBe(true);
    }
    for (const bad of ['10/09/2025', '2025-09-10 00:00:00', 20250910]) expect(legacyLatestDateSchema.safeParse(bad).success, String(bad)).toBe(false);
  });
});
