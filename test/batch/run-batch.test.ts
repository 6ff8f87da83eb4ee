import { describe, expect, it } from 'vitest';
import type { UpsertCounts } from '../../src/db/bars/daily-bars-repository.js';
import { runBatch, type RunBatchDeps } from '../../src/batch/run-batch.js';
import type { DailySeries } from '../../src/core/daily-series.js';
import { DatabaseUnavailableError } from '../../src/errors.js';

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
      latestStored: async () => null,
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
      options: { force: false, full: false, confirmBars: 10, mirrorCount: 1, overlapBars: 3, fullCount: 200, symbolsInFlight: 64, barsInFlight: 600 },
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

describe('runBatch and the writer', () => {
  function depsWithHeldCommits(symbols: string[], events: string[]): { deps: RunBatchDeps; release: () => void } {
    const held: Array<() => void> = [];
    const deps: RunBatchDeps = {
      symbols,
      latestStored: async () => null,
      recentBars: async () => new Map(),
      fetch: async () => ({ ok: true, broker: 'm0', value: series(5), attempts: [] }),
      enqueue: async (symbol, bars) => {
        events.push(`enqueue ${symbol}`);
        const committed = new Promise<UpsertCounts>((resolve) => held.push(() => resolve({ created: bars.length, updated: 0, unchanged: 0 })));
        return { committed };
      },
      flushWrites: () => events.push('flush'),
      today: '2026-01-01',
      lastSession: '2025-12-31',
      options: { force: false, full: false, confirmBars: 10, mirrorCount: 1, overlapBars: 3, fullCount: 200, symbolsInFlight: 4 },
      onResult: (result) => events.push(`${result.status} ${result.symbol}`),
      shouldStop: () => false,
    };
    return { deps, release: () => held.splice(0).forEach((commit) => commit()) };
  }

  it('tells the writer to stop gathering once the last symbol is handed over, before waiting for the commits', async () => {
    const events: string[] = [];
    const { deps, release } = depsWithHeldCommits(['1101', '1102', '1103'], events);
    const done = runBatch(deps);
    // Nothing commits until the writer is told that no more symbols are coming.
    while (!events.includes('flush')) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['enqueue 1101', 'enqueue 1102', 'enqueue 1103', 'flush']);
    release();
    await done;
    expect(events.slice(4).sort()).toEqual(['stored 1101', 'stored 1102', 'stored 1103']);
  });

  it('hands the writer only the bars that differ from the stored ones, and counts the rest unchanged', async () => {
    const events: string[] = [];
    const { deps, release } = depsWithHeldCommits(['1101'], events);
    const day = (n: number) => `2024-01-0${n}`;
    const stored = [1, 2, 3].map((n) => ({ stock_code: '1101', trade_date: day(n), open_price: 100, high_price: 100, low_price: 100, close_price: 100, volume: 1_000, data_quality: 'valid' as const }));
    const handed: string[][] = [];
    const results: unknown[] = [];
    const done = runBatch({
      ...deps,
      lastSession: day(5),
      today: day(6),
      latestStored: async () => day(3),
      recentBars: async () => new Map([['1101', stored]]),
      enqueue: async (symbol, bars) => {
        handed.push(bars.map((b) => b.trade_date));
        return deps.enqueue!(symbol, bars, 'm0');
      },
      onResult: (result) => results.push(result),
    });
    while (handed.length === 0) await new Promise((resolve) => setImmediate(resolve));
    release();
    await done;
    expect(handed).toEqual([[day(4), day(5)]]);
    expect(results).toEqual([expect.objectContaining({ status: 'stored', bars: 5, counts: { created: 2, updated: 0, unchanged: 3 } })]);
  });

  it('does not when nothing is waiting to be written', async () => {
    const events: string[] = [];
    const { deps } = depsWithHeldCommits(['1101'], events);
    await runBatch({ ...deps, fetch: async () => ({ ok: false, code: 'E_MIRROR_HTTP', reason: 'max-rounds', message: 'down', attempts: [] }) });
    expect(events).toEqual(['failed 1101']);
  });
});

describe('runBatch over stored days that come in as they are read', () => {
  /** Deps whose stored days arrive when `deliver` is called; fetches and results are logged. */
  function streamed(symbols: string[], stored: Record<string, string>, events: string[]) {
    let deliver!: (error?: unknown) => void;
    const read = new Promise<void>((resolve, reject) => (deliver = (error) => (error === undefined ? resolve() : reject(error))));
    read.catch(() => undefined);
    const deps: RunBatchDeps = {
      symbols,
      // The first symbol's day is known at once; the others wait for the read.
      latestStored: async (symbol) => {
        if (symbol !== symbols[0]) await read;
        return stored[symbol] ?? null;
      },
      recentBars: async () => new Map(),
      fetch: async (symbol) => {
        events.push(`fetch ${symbol}`);
        return { ok: true, broker: 'm0', value: series(5), attempts: [] };
      },
      today: '2026-01-01',
      lastSession: '2025-12-31',
      options: { force: false, full: false, confirmBars: 0, mirrorCount: 1, overlapBars: 3, fullCount: 200, symbolsInFlight: 4 },
      onResult: (result) => events.push(`${result.status} ${result.symbol}`),
      shouldStop: () => false,
    };
    return { deps, deliver };
  }

  it('starts the symbols already planned while the rest are read, and skips the fresh ones once known', async () => {
    const events: string[] = [];
    const { deps, deliver } = streamed(['1101', '1102', '1103'], { '1102': '2025-12-31' }, events);
    const done = runBatch(deps);
    while (!events.includes('stored 1101')) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['fetch 1101', 'stored 1101']);
    deliver();
    const end = await done;
    expect(events.slice(2)).toEqual(['skipped 1102', 'fetch 1103', 'stored 1103']);
    expect(end).toEqual({ notStarted: 0, fatal: undefined });
  });

  it('ends with the fatal error when the store cannot be read, the symbols not read counted as not started', async () => {
    const events: string[] = [];
    const { deps, deliver } = streamed(['1101', '1102', '1103'], {}, events);
    const fatals: string[] = [];
    const done = runBatch({ ...deps, onFatal: (error) => fatals.push(error.code) });
    deliver(new DatabaseUnavailableError('the server went away'));
    const end = await done;
    expect(end.fatal?.code).toBe('E_DB_UNAVAILABLE');
    expect(end.notStarted).toBe(2);
    expect(fatals).toEqual(['E_DB_UNAVAILABLE']);
    expect(events).toEqual(['fetch 1101', 'stored 1101']);
  });

  it('throws any other read failure, once the symbols in flight are done', async () => {
    const events: string[] = [];
    const { deps, deliver } = streamed(['1101', '1102'], {}, events);
    const done = runBatch(deps);
    deliver(new TypeError('a bug'));
    await expect(done).rejects.toThrow('a bug');
    expect(events).toEqual(['fetch 1101', 'stored 1101']);
  });
});
