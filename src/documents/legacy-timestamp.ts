import * as z from 'zod/mini';
import { dateTimeIn } from '../clock.js';

/**
 * The old service's `timestamp` values are Python's `datetime.now().isoformat()`: the
 * wall-clock time of the server's zone, ISO-8601 without an offset, to the microsecond
 * ('2026-12-02T18:31:07.123456'). Python leaves the fraction out when it is exactly
 * zero, so a reader of the old documents accepts both; {@link formatLegacyTimestamp}
 * always writes it.
 */
export const LEGACY_TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

/**
 * Formats an instant as the old service did: local time in `timeZone` (an IANA name,
 * e.g. 'Asia/Taipei'), 'YYYY-MM-DDTHH:MM:SS.ffffff', no offset. `epochMs` is
 * milliseconds since the epoch and may carry a fraction (a high-resolution clock); it is
 * rounded to the microsecond.
 * @throws RangeError for a non-finite instant, a year outside 1..9999 or an unknown zone.
 */
export function formatLegacyTimestamp(epochMs: number, timeZone: string): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not an instant: ${epochMs}`);
  const micros = Math.round(epochMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  const instant = new Date(seconds * 1000);
  const utcYear = instant.getUTCFullYear();
  if (!(utcYear >= 1 && utcYear <= 9999)) throw new RangeError(`year out of range for an ISO timestamp: ${epochMs}`);
  return `${localSecond(seconds, timeZone)}.${String(fraction).padStart(6, '0')}`;
}

// A run's documents carry one timestamp per symbol, thousands of them within a few seconds:
// the zone's rules are applied once per second, not once per timestamp.
let lastSecond: { seconds: number; timeZone: string; text: string } | undefined;

/** 'YYYY-MM-DDTHH:MM:SS' of the whole second `seconds` (since the epoch) in `timeZone`. */
function localSecond(seconds: number, timeZone: string): string {
  if (lastSecond?.seconds === seconds && lastSecond.timeZone === timeZone) return lastSecond.text;
  const text = dateTimeIn(seconds * 1000, timeZone);
  lastSecond = { seconds, timeZone, text };
  return text;
}

/** A `timestamp` value of the old documents (see {@link LEGACY_TIMESTAMP_PATTERN}). */
export const legacyTimestampSchema = z.string().check(z.regex(LEGACY_TIMESTAMP_PATTERN, 'local ISO-8601 time without a zone, e.g. 2026-12-02T18:31:07.123456'));
