import { describe, expect, it } from 'vitest';
import type { UpsertCounts } from '../../src/db/daily-bars-repository.js';
import { runBatch, type RunBatchDeps } from '../../src/batch/run-batch.js';
import type { DailySeries } from '../../src/parse/daily-series.js';

/** `count` weekday bars from 2024-01-01 as the parser returns them. */
function series(count: number): DailySeries {
  const values = new Float64Array(count * 6);
  for (let i = 0; i < count; i += 1) {
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 5) * 7 * 86_400_000 + (i % 5) * 86_400_000);
    values[i] = day.getUTCFullYear() * 10_000 + (day.getUTCMonth() + 1) * 100 + day.getUTCDate();
    for (let column = 1; column <= 4; column += 1) values[column * count + i] = 100;
    values[5 * count + i] = 1_000;
  }
  return { count, values, sections: 6 };
}

describe('runBatch bar budget', () => {
  it('holds at most barsInFlight bars between the start of a fetch and its commit', async () => {
    const symbols = Array.from({ length: 40 }, (_, i) => String(1000 + i));
    let holding = 0;
    let most = 0;
    const commits: Array<() => void> = [];
    const deps: RunBatchDeps = {
      symbols,
      latestStored: new Map(),
      recentBars: async () => new Map(),
      fetch: async (_symbol, request) => {
        holding += 1;
        most = Math.max(most, holding);
        return { ok: true, broker: 'm0', value: series(Math.min(request.count, 100)), attempts: [] };
      },
      enqueue: async (_symbol, bars) => {
        let resolve!: (counts: UpsertCounts) => void;
        const committed = new Promise<UpsertCounts>((r) => (resolve = r));
        commits.push(() => {
          holding -= 1;
          resolve({ created: bars.length, updated: 0, unchanged: 0 });
        });
        return { committed };
      },
      today: '2026-01-01',
      lastSession: '2025-12-31',
      // Each full plan asks for 200 bars: the budget lets three symbols in at a time.
      options: { force: false, full: false, overlapBars: 3, fullCount: 200, symbolsInFlight: 64, barsInFlight: 600 },
      onResult: () => undefined,
      shouldStop: () => false,
    };
    const done = runBatch(deps);
    // The "writer" commits one symbol at a time, slowly.
    const writer = (async () => {
      for (let committed = 0; committed < symbols.length; ) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const next = commits.shift();
        if (next === undefined) continue;
        next();
        committed += 1;
      }
    })();
    await Promise.all([done, writer]);
    expect(most).toBe(3);
  });
});
