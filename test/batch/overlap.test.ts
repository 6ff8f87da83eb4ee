import { describe, expect, it } from 'vitest';
import { compareOverlap } from '../../src/batch/overlap.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { bar } from './bars.js';

const stored = [bar('2026-01-01', 470), bar('2026-01-02', 471.5), bar('2026-01-05', 480)];

describe('compareOverlap', () => {
  it('matches when the overlap days agree and new days follow', () => {
    const fetched = [...stored.map((b) => ({ ...b })), bar('2026-01-06', 485)];
    expect(compareOverlap(stored, fetched)).toEqual({ kind: 'match', compared: 3 });
  });

  it('counts only days present in both, whatever else the mirror sent (it may ignore c)', () => {
    const history = Array.from({ length: 1_440 }, (_, i) => bar(new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), 100 + i));
    const fetched = [...history, bar('2026-01-02', 471.5), bar('2026-01-05', 480), bar('2026-01-06', 485)];
    expect(compareOverlap(stored, fetched)).toEqual({ kind: 'match', compared: 2 });
  });

  it('is order-independent', () => {
    const fetched = [bar('2026-01-06', 485), ...stored.map((b) => ({ ...b })).reverse()];
    expect(compareOverlap(stored, fetched)).toEqual({ kind: 'match', compared: 3 });
  });

  it.each<[string, Partial<DailyBar>]>([
    ['float noise from a double column', { close_price: 471.49999999 }],
    ['a difference below the fourth decimal', { open_price: 470.50004 }],
    ['data_quality is not compared', { data_quality: 'weekend' }],
    ['stock_code is not compared', { stock_code: '2317' }],
  ])('tolerates %s', (_name, change) => {
    const fetched = stored.map((b) => (b.trade_date === '2026-01-02' ? { ...b, ...change } : b));
    expect(compareOverlap(stored, fetched).kind).toBe('match');
  });

  it.each<[string, Partial<DailyBar>, string[]]>([
    ['an ex-dividend adjustment of every price', { open_price: 460.5, high_price: 463.5, low_price: 459.5, close_price: 461.5 }, ['open_price', 'high_price', 'low_price', 'close_price']],
    ['one tick in the fourth decimal', { close_price: 471.5001 }, ['close_price']],
    ['a volume off by one', { volume: 25_001 }, ['volume']],
    ['a NaN price', { low_price: Number.NaN }, ['low_price']],
  ])('reports a revision: %s', (_name, change, fields) => {
    const fetched = stored.map((b) => (b.trade_date === '2026-01-02' ? { ...b, ...change } : b));
    const result = compareOverlap(stored, fetched);
    expect(result.kind).toBe('revised');
    if (result.kind !== 'revised') return;
    expect(result.compared).toBe(3);
    expect(result.mismatches).toHaveLength(1);
    const [mismatch] = result.mismatches;
    expect(mismatch?.trade_date).toBe('2026-01-02');
    expect(mismatch?.fields).toEqual(fields);
    expect(mismatch?.stored.close_price).toBe(471.5);
    expect(mismatch?.fetched).toEqual({
      open_price: change.open_price ?? 470.5,
      high_price: change.high_price ?? 473.5,
      low_price: change.low_price ?? 469.5,
      close_price: change.close_price ?? 471.5,
      volume: change.volume ?? 25_000,
    });
  });

  it('lists every differing day', () => {
    const fetched = stored.map((b) => ({ ...b, close_price: b.close_price * 0.97 }));
    const result = compareOverlap(stored, fetched);
    expect(result.kind === 'revised' && result.mismatches.map((m) => m.trade_date)).toEqual(['2026-01-01', '2026-01-02', '2026-01-05']);
  });

  it.each<[string, DailyBar[], DailyBar[]]>([
    ['the fetched bars all come after the stored ones', stored, [bar('2026-01-06', 485), bar('2026-01-07', 486)]],
    ['the fetched bars all come before', stored, [bar('2025-12-30', 460)]],
    ['nothing was fetched', stored, []],
    ['nothing is stored', [], [bar('2026-01-06', 485)]],
  ])('no_overlap when %s', (_name, storedBars, fetched) => {
    expect(compareOverlap(storedBars, fetched)).toEqual({ kind: 'no_overlap' });
  });
});
