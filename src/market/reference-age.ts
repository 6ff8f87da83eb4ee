import type { Market } from './market.js';

/** One source's state as {@link referenceAge} reads it (the fields of a stored sync state it needs). */
export interface SourceSyncState {
  source: string;
  syncedAt: Date | null;
  lastError: string | null;
}

/** How old the stored universe and calendar are. */
export interface ReferenceAge {
  universe: {
    /** The oldest of the markets' last good syncs; null when some market was never synced. */
    syncedAt: Date | null;
    /** Milliseconds since `syncedAt`; null when never synced. */
    ageMs: number | null;
    /** Active symbols in `stocks`: 0 means `update` has nothing to crawl. */
    activeSymbols: number;
    /** Per market: its last good sync and the error of its last attempt, if refused. */
    markets: Record<string, { syncedAt: Date | null; ageMs: number | null; lastError: string | null }>;
  };
  calendar: { syncedAt: Date | null; ageMs: number | null; holidays: number; lastError: string | null };
}

/**
 * The age of the reference data at `nowMs` (pure): of the universe (its oldest market among
 * `markets`, the ones configured) and of the holiday calendar (`holidaysSource` key).
 */
export function referenceAge(
  state: { sources: readonly SourceSyncState[]; activeSymbols: number; holidays: { count: number } },
  nowMs: number,
  markets: readonly Market[],
  holidaysSource = 'holidays',
): ReferenceAge {
  const bySource = new Map(state.sources.map((source) => [source.source, source]));
  const ageOf = (at: Date | null): number | null => (at === null ? null : Math.max(0, nowMs - at.getTime()));
  const perMarket: ReferenceAge['universe']['markets'] = {};
  let oldest: Date | null = null;
  let never = markets.length === 0;
  for (const market of markets) {
    const source = bySource.get(market);
    const syncedAt = source?.syncedAt ?? null;
    perMarket[market] = { syncedAt, ageMs: ageOf(syncedAt), lastError: source?.lastError ?? null };
    if (syncedAt === null) never = true;
    else if (oldest === null || syncedAt < oldest) oldest = syncedAt;
  }
  const universeAt = never ? null : oldest;
  const calendar = bySource.get(holidaysSource);
  const calendarAt = calendar?.syncedAt ?? null;
  return {
    universe: { syncedAt: universeAt, ageMs: ageOf(universeAt), activeSymbols: state.activeSymbols, markets: perMarket },
    calendar: { syncedAt: calendarAt, ageMs: ageOf(calendarAt), holidays: state.holidays.count, lastError: calendar?.lastError ?? null },
  };
}

/** Whether data of age `ageMs` (null: never synced) is older than `maxAgeMs`. */
export function isOlderThan(ageMs: number | null, maxAgeMs: number): boolean {
  return ageMs === null || ageMs > maxAgeMs;
}
