import type { DailyBar } from '../core/daily-bar.js';

/*
 * What a batch needs to know of the store comes from one read of each symbol's last few
 * bars: the newest of them is the symbol's newest stored day (the plan), the rest the
 * overlap the incremental fetch is checked against.
 */

/** Each symbol's newest stored trading day, from its recent bars (oldest first). */
export function newestDays(recent: ReadonlyMap<string, readonly DailyBar[]>): Map<string, string> {
  const days = new Map<string, string>();
  for (const [symbol, bars] of recent) {
    const newest = bars.at(-1);
    if (newest !== undefined) days.set(symbol, newest.trade_date);
  }
  return days;
}

/** The last `perSymbol` of each symbol's recent bars; symbols without any are absent. */
export function lastBars(recent: ReadonlyMap<string, readonly DailyBar[]>, symbols: readonly string[], perSymbol: number): Map<string, DailyBar[]> {
  const picked = new Map<string, DailyBar[]>();
  if (perSymbol <= 0) return picked;
  for (const symbol of symbols) {
    const bars = recent.get(symbol);
    if (bars !== undefined && bars.length > 0) picked.set(symbol, bars.slice(-perSymbol));
  }
  return picked;
}
