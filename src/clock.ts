/** The one source of time; tests pass their own. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Zones whose offset from UTC has not changed since `sinceMs`: their wall clock is UTC
 * shifted, read without Intl. Each kind of Intl formatter a process builds first loads
 * ICU's locale and calendar data, ~30 ms of this thread that every run paid at start-up
 * (just as its database sessions were opening) and again for the old service's timestamps
 * at its end. Asia/Taipei, the exchange's zone and the default: UTC+8, without daylight
 * saving since October 1979 (tz database). Any other zone goes to Intl.
 */
const FIXED_OFFSETS: ReadonlyMap<string, { offsetMs: number; sinceMs: number }> = new Map([
  ['Asia/Taipei', { offsetMs: 8 * 3_600_000, sinceMs: Date.UTC(1980, 0, 1) }],
]);

/** The instant shifted so that its UTC fields read as the zone's wall clock, when the zone's offset is fixed then. */
function shiftedToZone(epochMs: number, timeZone: string): Date | undefined {
  const fixed = FIXED_OFFSETS.get(timeZone);
  if (fixed === undefined || !(epochMs >= fixed.sinceMs)) return undefined;
  return new Date(epochMs + fixed.offsetMs);
}

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone, e.g. today in Asia/Taipei. */
export function calendarDateIn(epochMs: number, timeZone: string): string {
  return dateTimeIn(epochMs, timeZone).slice(0, 10);
}

/** Minutes since local midnight of an instant in a time zone (0–1439). */
export function minutesIntoDayIn(epochMs: number, timeZone: string): number {
  const time = dateTimeIn(epochMs, timeZone);
  return Number(time.slice(11, 13)) * 60 + Number(time.slice(14, 16));
}

const dateTimeFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock time 'YYYY-MM-DDTHH:MM:SS' of an instant in a time zone, to the second (the
 * fraction of `epochMs` is dropped). @throws RangeError for an unknown zone.
 */
export function dateTimeIn(epochMs: number, timeZone: string): string {
  const shifted = shiftedToZone(epochMs, timeZone);
  if (shifted !== undefined) return shifted.toISOString().slice(0, 19);
  // One formatter per zone, for the date and the time of day alike.
  let formatter = dateTimeFormatters.get(timeZone);
  if (formatter === undefined) {
    // h23, not hour12: false, which some ICU versions render as "24" at midnight.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  return `${(parts.year ?? '').padStart(4, '0')}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * Whether Intl knows the zone; config validation uses it so a typo fails at start-up. The
 * canonical names are looked up in Intl's list: the first formatter a process builds loads
 * the locale data (~20 ms), which a run would pay before its first request; an alias
 * ('US/Eastern') is checked by building one.
 */
export function isKnownTimeZone(timeZone: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the zone's formatter now, unless its offset is fixed (no Intl needed). The first
 * formatter in a process loads Intl's data (~30 ms of this thread): a caller about to wait
 * on I/O pays it meanwhile instead of on the way to its first request.
 */
export function preloadTimeZone(timeZone: string): void {
  if (FIXED_OFFSETS.has(timeZone)) return;
  calendarDateIn(0, timeZone);
}
