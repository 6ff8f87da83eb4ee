import { describe, expect, it } from 'vitest';
import { formatLegacyTimestamp, LEGACY_TIMESTAMP_PATTERN, legacyTimestampSchema } from '../../src/documents/legacy-timestamp.js';

const at = (iso: string): number => Date.parse(iso);

describe('formatLegacyTimestamp', () => {
  it("writes the zone's local time without an offset, to the microsecond, as Python's isoformat()", () => {
    expect(formatLegacyTimestamp(at('2026-12-02T10:31:07.123Z'), 'Asia/Taipei')).toBe('2026-12-02T18:31:07.123000');
    expect(formatLegacyTimestamp(at('2026-12-02T10:31:07.123Z'), 'UTC')).toBe('2026-12-02T10:31:07.123000');
    expect(formatLegacyTimestamp(at('2026-12-02T10:31:07Z'), 'UTC')).toBe('2026-12-02T10:31:07.000000');
  });

  it('keeps the microseconds of a fractional millisecond, rounded', () => {
    expect(formatLegacyTimestamp(at('2026-12-02T10:31:07.123Z') + 0.456, 'Asia/Taipei')).toBe('2026-12-02T18:31:07.123456');
    expect(formatLegacyTimestamp(at('2026-12-02T10:31:07.999Z') + 0.9996, 'UTC')).toBe('2026-12-02T10:31:08.000000');
    expect(formatLegacyTimestamp(at('1970-01-01T00:00:00Z') - 0.001, 'UTC')).toBe('1969-12-31T23:59:59.999999');
  });

  it('crosses the day in the zone, with 00 (never 24) at midnight', () => {
    expect(formatLegacyTimestamp(at('2026-12-01T16:00:00Z'), 'Asia/Taipei')).toBe('2026-12-02T00:00:00.000000');
    expect(formatLegacyTimestamp(at('2026-12-02T04:59:59.5Z'), 'America/New_York')).toBe('2026-12-01T23:59:59.500000');
  });

  it('follows daylight saving time in zones that have it', () => {
    expect(formatLegacyTimestamp(at('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00.000000');
    expect(formatLegacyTimestamp(at('2026-01-01T12:00:00Z'), 'America/New_York')).toBe('2026-01-01T07:00:00.000000');
  });

  it('gives each timestamp of one second its own fraction and its own zone', () => {
    const second = at('2026-12-02T10:31:07Z');
    expect(formatLegacyTimestamp(second + 1, 'Asia/Taipei')).toBe('2026-12-02T18:31:07.001000');
    expect(formatLegacyTimestamp(second + 2, 'Asia/Taipei')).toBe('2026-12-02T18:31:07.002000');
    expect(formatLegacyTimestamp(second + 3, 'UTC')).toBe('2026-12-02T10:31:07.003000');
    expect(formatLegacyTimestamp(second + 4, 'Asia/Taipei')).toBe('2026-12-02T18:31:07.004000');
    expect(formatLegacyTimestamp(second + 1000, 'Asia/Taipei')).toBe('2026-12-02T18:31:08.000000');
    expect(() => formatLegacyTimestamp(second, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('refuses what it cannot write', () => {
    expect(() => formatLegacyTimestamp(Number.NaN, 'UTC')).toThrow(RangeError);
    expect(() => formatLegacyTimestamp(Number.POSITIVE_INFINITY, 'UTC')).toThrow(RangeError);
    expect(() => formatLegacyTimestamp(at('+010000-01-01T00:00:00Z'), 'UTC')).toThrow(RangeError);
    expect(() => formatLegacyTimestamp(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('writes what the schema accepts; the schema also takes a whole second as Python writes it', () => {
    const written = formatLegacyTimestamp(Date.now(), 'Asia/Taipei');
    expect(written).toMatch(LEGACY_TIMESTAMP_PATTERN);
    expect(legacyTimestampSchema.safeParse('2025-09-11T18:31:07').success).toBe(true);
    for (const bad of ['2025-09-11T18:31:07.123', '2025-09-11T18:31:07.123456+08:00', '2025-09-11T10:31:07.123Z', '2025-09-11 18:31:07.123456']) {
      expect(legacyTimestampSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});
