/** The one source of time; tests pass their own. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone, e.g. today in Asia/Taipei. */
export function calendarDateIn(epochMs: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // en-CA formats as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(epochMs));
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
 * Builds the zone's formatter now. The first one in a process loads Intl's data (~20 ms of
 * this thread): a caller about to wait on I/O (a server starting its session) pays it
 * meanwhile instead of on the way to its first request.
 */
export function preloadTimeZone(timeZone: string): void {
  calendarDateIn(0, timeZone);
}
