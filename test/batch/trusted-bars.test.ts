import { describe, expect, it } from 'vitest';
import { fetchTrustedBars, type BatchFetchRequest } from '../../src/batch/trusted-bars.js';
import type { Attempt, FetchOutcome } from '../../src/mirrors/fetch-symbol.js';
import type { DailySeries } from '../../src/core/daily-series.js';

const TODAY = '2026-01-07';
const FULL = 2880;

interface Day {
  day: string;
  close: number;
}

const history: Day[] = [
  { day: '2025-12-31', close: 460 },
  { day: '2026-01-01', close: 470 },
  { day: '2026-01-02', close: 471.5 },
  { day: '2026-01-05', close: 480 },
  { day: '2026-01-06', close: 485 },
];
const scaled = (days: readonly Day[], factor: number): Day[] => days.map((d) => ({ ...d, close: Math.round(d.close * factor * 100) / 100 }));

/** A parsed payload of these days (open = close − 1, high = close + 2, low = close − 2). */
function series(days: readonly Day[]): DailySeries {
  const n = days.length;
  const values = new Float64Array(n * 6);
  days.forEach((d, i) => {
    values[i] = Number(d.day.replaceAll('-', ''));
    values[n + i] = d.close - 1;
    values[2 * n + i] = d.close + 2;
    values[3 * n + i] = d.close - 2;
    values[4 * n + i] = d.close;
    values[5 * n + i] = 1_000;
  });
  return { count: n, values, sections: 6 };
}

/** What a mirror serves: its days (the last `count` are sent), or a failure. */
type Serves = Day[] | 'fails';

/**
 * Stands in for fetchSymbol: takes the mirrors in order, skipping excluded ones; a mirror
 * that `fails` is an attempt with a fault and failover to the next. Records every request.
 */
function fakeFetch(mirrors: Record<string, Serves>) {
  const requests: Array<{ broker: string } & BatchFetchRequest> = [];
  const fetch = async (_symbol: string, request: BatchFetchRequest): Promise<FetchOutcome<DailySeries>> => {
    const attempts: Attempt[] = [];
    for (const [broker, serves] of Object.entries(mirrors)) {
      if (request.exclude?.includes(broker)) continue;
      requests.push({ broker, ...request });
      if (serves === 'fails') {
        attempts.push({ broker, status: 503, ms: 1, code: 'E_MIRROR_HTTP', fault: 'http_5xx' });
        continue;
      }
      attempts.push({ broker, status: 200, ms: 1 });
      return { ok: true, broker, value: series(serves.slice(-request.count)), attempts };
    }
    return { ok: false, code: 'E_ALL_MIRRORS_FAILED', reason: 'no-mirrors', message: 'no mirror delivered', attempts };
  };
  return { fetch, requests };
}

const CONFIRM = 3;
const deps = (fetch: ReturnType<typeof fakeFetch>['fetch'], mirrorCount = 4) => ({ fetch, today: TODAY, fullCount: FULL, confirmBars: CONFIRM, mirrorCount });
const closes = (bars: ReadonlyArray<{ close_price: number }>) => bars.map((b) => b.close_price);
const asked = (requests: ReadonlyArray<{ broker: string; count: number; exclude?: readonly string[] | undefined }>) =>
  requests.map((r) => [r.broker, r.count, r.exclude ?? []]);

const FULL_PLAN = { kind: 'full', count: FULL, reason: 'no_history' } as const;
const INCREMENTAL = { kind: 'incremental', count: 4, since: '2026-01-05' } as const;
/** What the last run stored: the history up to 2026-01-05. */
const storedBars = series(history.slice(0, 4));
const stored = Array.from({ length: storedBars.count }, (_, i) => ({
  stock_code: '2330',
  trade_date: history[i]!.day,
  open_price: history[i]!.close - 1,
  high_price: history[i]!.close + 2,
  low_price: history[i]!.close - 2,
  close_price: history[i]!.close,
  volume: 1_000,
  data_quality: 'valid' as const,
}));

describe('fetchTrustedBars: a whole history is confirmed by a second mirror before it is stored', () => {
  it('asks a second mirror for the newest bars: two requests, the first mirror\'s history stored', async () => {
    const { fetch, requests } = fakeFetch({ a: history, b: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'a', revised: false, confirmed: true, faults: [] });
    if (result.ok) expect(closes(result.bars)).toEqual(history.map((d) => d.close));
    expect(asked(requests)).toEqual([
      ['a', FULL, []],
      ['b', CONFIRM, ['a']],
    ]);
  });

  it('stores the first history when a third mirror agrees with it, charging the second', async () => {
    const { fetch, requests } = fakeFetch({ a: history, skewed: scaled(history, 1.05), c: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'a', confirmed: true, faults: [{ broker: 'skewed', kind: 'disagreement' }] });
    expect(asked(requests)).toEqual([
      ['a', FULL, []],
      ['skewed', CONFIRM, ['a']],
      ['c', CONFIRM, ['a', 'skewed']],
    ]);
  });

  it('stores the agreeing mirrors\' values when the first one is the odd one out: charged, and the history fetched again elsewhere', async () => {
    const { fetch, requests } = fakeFetch({ skewed: scaled(history, 1.05), b: history, c: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'b', confirmed: true, faults: [{ broker: 'skewed', kind: 'disagreement' }] });
    if (result.ok) expect(closes(result.bars)).toEqual(history.map((d) => d.close));
    expect(asked(requests)).toEqual([
      ['skewed', FULL, []],
      ['b', CONFIRM, ['skewed']],
      ['c', CONFIRM, ['skewed', 'b']],
      ['b', FULL, ['skewed']],
    ]);
  });

  it('a mirror a session behind is late, not wrong: it agrees on what it has, and a third is asked about the rest', async () => {
    const { fetch, requests } = fakeFetch({ a: history, late: history.slice(0, -1), c: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'a', confirmed: true, faults: [] });
    expect(asked(requests)).toEqual([
      ['a', FULL, []],
      ['late', CONFIRM, ['a']],
      ['c', CONFIRM, ['a', 'late']],
    ]);
  });

  it('a mirror behind the others is not taken for the truth: the history it served is fetched again from the two that agree', async () => {
    const { fetch } = fakeFetch({ late: history.slice(0, -1), b: history, c: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'b', confirmed: true });
    if (result.ok) expect(result.bars.at(-1)?.trade_date).toBe(history.at(-1)!.day);
  });

  it('fetches the history again from a current mirror, never from the late one, when the first is the odd one out', async () => {
    const { fetch, requests } = fakeFetch({ skewed: scaled(history, 1.05), late: history.slice(0, -1), c: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'c', confirmed: true, faults: [{ broker: 'skewed', kind: 'disagreement' }] });
    if (result.ok) expect(result.bars.at(-1)?.trade_date).toBe(history.at(-1)!.day);
    expect(asked(requests).slice(3)).toEqual([
      ['late', FULL, ['skewed']],
      ['c', FULL, ['skewed', 'late']],
    ]);
  });

  it('fails the symbol, writing nothing, when no two mirrors agree', async () => {
    const { fetch } = fakeFetch({ a: history, b: scaled(history, 1.05), c: scaled(history, 0.9) });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: false, code: 'E_MIRRORS_DISAGREE' });
  });

  it('fails the symbol when no other mirror can confirm the history', async () => {
    const { fetch } = fakeFetch({ a: history, b: 'fails' });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: false, code: 'E_ALL_MIRRORS_FAILED' });
  });

  it('has no second opinion to ask with one mirror configured: one request', async () => {
    const { fetch, requests } = fakeFetch({ a: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch, 1));
    expect(result).toMatchObject({ ok: true, broker: 'a', confirmed: false });
    expect(requests).toHaveLength(1);
  });
});

describe('fetchTrustedBars: an empty answer on a full plan', () => {
  it('is confirmed by a second mirror before the symbol counts as having no data', async () => {
    const { fetch, requests } = fakeFetch({ a: [], b: [], c: history });
    const result = await fetchTrustedBars('9999', FULL_PLAN, [], deps(fetch));
    if (!result.ok) throw new Error('expected no data');
    expect(result.validation.input).toBe(0);
    expect(result.faults).toEqual([]);
    // An unknown symbol costs one request more, never a tour of every mirror.
    expect(asked(requests)).toEqual([
      ['a', FULL, []],
      ['b', FULL, ['a']],
    ]);
  });

  it('charges the empty mirror when another one has the history, and stores that one once a third confirms it', async () => {
    const { fetch, requests } = fakeFetch({ a: [], b: history, c: history });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'b', confirmed: true, faults: [{ broker: 'a', kind: 'empty' }] });
    if (result.ok) expect(closes(result.bars)).toEqual(history.map((d) => d.close));
    expect(asked(requests)).toEqual([
      ['a', FULL, []],
      ['b', FULL, ['a']],
      ['c', CONFIRM, ['a', 'b']],
    ]);
  });

  it('fails the symbol, rather than calling it empty, when no other mirror answers', async () => {
    const { fetch } = fakeFetch({ a: [], b: 'fails' });
    const result = await fetchTrustedBars('2330', FULL_PLAN, [], deps(fetch));
    expect(result).toMatchObject({ ok: false, code: 'E_ALL_MIRRORS_FAILED', faults: [{ broker: 'b', kind: 'http_5xx' }] });
    expect(result.attempts.map((a) => a.broker)).toEqual(['a', 'b']);
  });
});

describe('fetchTrustedBars: an incremental window', () => {
  it('stores a window that agrees with the stored bars: one request, as before', async () => {
    const { fetch, requests } = fakeFetch({ a: history, b: history });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'a', revised: false, faults: [] });
    if (result.ok) expect(closes(result.bars)).toEqual([470, 471.5, 480, 485]);
    expect(requests).toHaveLength(1);
  });

  it('a mirror disagreeing with the stored bars is at fault when another agrees with them: that one is stored', async () => {
    const { fetch, requests } = fakeFetch({ liar: scaled(history, 1.1), b: history });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'b', revised: false, faults: [{ broker: 'liar', kind: 'disagreement' }] });
    if (result.ok) expect(closes(result.bars)).toEqual([470, 471.5, 480, 485]);
    expect(asked(requests)).toEqual([
      ['liar', 4, []],
      ['b', 4, ['liar']],
    ]);
  });

  it('two mirrors agreeing on new values make a revision: the whole history is fetched and stored', async () => {
    const revised = scaled(history, 0.95);
    const { fetch, requests } = fakeFetch({ a: revised, b: revised, c: revised });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: true, revised: true, faults: [] });
    if (result.ok) expect(closes(result.bars)).toEqual(revised.map((d) => d.close));
    expect(asked(requests)).toEqual([
      ['a', 4, []],
      ['b', 4, ['a']],
      ['a', FULL, []],
    ]);
  });

  it('a mirror out of line with a revision two others agree on is charged, and kept away from the full refetch', async () => {
    const revised = scaled(history, 0.95);
    const { fetch, requests } = fakeFetch({ liar: scaled(history, 1.1), a: revised, b: revised });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'a', revised: true, faults: [{ broker: 'liar', kind: 'disagreement' }] });
    if (result.ok) expect(closes(result.bars)).toEqual(revised.map((d) => d.close));
    expect(asked(requests)).toEqual([
      ['liar', 4, []],
      ['a', 4, ['liar']],
      ['b', 4, ['liar', 'a']],
      ['a', FULL, ['liar']],
    ]);
  });

  it('checks the full refetch itself: a mirror honest on the window is not trusted with the history unchecked', async () => {
    const revised = scaled(history, 0.95);
    let calls = 0;
    const { fetch: base } = fakeFetch({ a: revised, b: revised, c: revised });
    // `a` answers the window truly, then serves a full history of another series.
    const fetch: typeof base = async (symbol, request) => {
      calls += 1;
      const outcome = await base(symbol, request);
      if (request.count === FULL && outcome.ok && outcome.broker === 'a') return { ...outcome, value: series(scaled(history, 2)) };
      return outcome;
    };
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: true, broker: 'b', revised: true, faults: [{ broker: 'a', kind: 'disagreement' }] });
    expect(calls).toBe(4);
  });

  it('fails the symbol, writing nothing, when no two mirrors agree', async () => {
    const { fetch } = fakeFetch({ a: scaled(history, 1.1), b: scaled(history, 0.9), c: scaled(history, 1.2), d: history });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: false, code: 'E_MIRRORS_DISAGREE', faults: [] });
    expect(result.attempts.map((a) => a.broker)).toEqual(['a', 'b', 'c']);
  });

  it('fails the symbol when a second opinion cannot be had', async () => {
    const { fetch } = fakeFetch({ liar: scaled(history, 1.1), b: 'fails' });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result).toMatchObject({ ok: false, code: 'E_ALL_MIRRORS_FAILED', faults: [{ broker: 'b', kind: 'http_5xx' }] });
  });

  it('keeps the faults of failed attempts along the way', async () => {
    const { fetch } = fakeFetch({ down: 'fails', liar: scaled(history, 1.1), b: history });
    const result = await fetchTrustedBars('2330', INCREMENTAL, stored, deps(fetch));
    expect(result.faults).toEqual([
      { broker: 'down', kind: 'http_5xx' },
      { broker: 'down', kind: 'http_5xx' },
      { broker: 'liar', kind: 'disagreement' },
    ]);
  });
});
