import type { DailyBar } from '../core/daily-bar.js';

/**
 * The fetched bars to write: those without a stored twin, i.e. a stored bar of the same
 * day with exactly the same values. A nightly window re-fetches the last stored bars to
 * check them (see overlap.ts); once they match, writing them again would change nothing
 * but still cost the server: ON CONFLICT locks every conflicting row it is offered, even
 * one it then leaves as it is, and that lock dirties the row's page. Three of the four
 * bars of a nightly window are such twins. `unchanged` counts the twins left out, so a
 * symbol's counts read as if they had been offered.
 */
export function barsToWrite(stored: readonly DailyBar[], fetched: readonly DailyBar[]): { bars: readonly DailyBar[]; unchanged: number } {
  if (stored.length === 0) return { bars: fetched, unchanged: 0 };
  const byDay = new Map<string, DailyBar>();
  for (const bar of stored) byDay.set(bar.trade_date, bar);
  const bars = fetched.filter((bar) => {
    const twin = byDay.get(bar.trade_date);
    return twin === undefined || !sameValues(twin, bar);
  });
  return { bars, unchanged: fetched.length - bars.length };
}

function sameValues(a: DailyBar, b: DailyBar): boolean {
  return (
    a.open_price === b.open_price &&
    a.high_price === b.high_price &&
    a.low_price === b.low_price &&
    a.close_price === b.close_price &&
    a.volume === b.volume &&
    a.data_quality === b.data_quality
  );
}
