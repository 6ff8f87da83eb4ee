import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { classifyWindow, type ClassifiedBar, type MirrorWindow, type WindowVerdict } from '../../src/verify/classify-window.js';
import { barSeries, weekdays } from '../support/bars.js';

const DAYS = weekdays('2026-11-02', 6); // Mon 2 … Mon 9 November
const truth = barSeries('2330', DAYS, 500);

function mirror(broker: string, bars: readonly DailyBar[]): MirrorWindow {
  return { broker, bars };
}

function classified(verdict: WindowVerdict): ClassifiedBar[] {
  if (verdict.kind !== 'classified') throw new Error(`expected a classification, got ${JSON.stringify(verdict)}`);
  return verdict.bars;
}

const verdicts = (bars: ClassifiedBar[]) => bars.map((bar) => [bar.trade_date, bar.verdict]);
const skew = (bar: DailyBar, by = 1.1): DailyBar => ({ ...bar, open_price: bar.open_price * by, close_price: bar.close_price * by, high_price: bar.high_price * by, low_price: bar.low_price * by });

describe('classifyWindow', () => {
  it('calls every bar agree when the store and both mirrors match, prices within 0.01', () => {
    const nudged = truth.map((bar) => ({ ...bar, close_price: bar.close_price + 0.01 }));
    const bars = classified(classifyWindow(truth, [mirror('a', truth), mirror('b', nudged)], { canAsk: true }));
    expect(verdicts(bars)).toEqual(DAYS.map((day) => [day, 'agree']));
    expect(bars.every((bar) => bar.fix === null)).toBe(true);
  });

  it('ignores the extra days a mirror sends beyond the stored window', () => {
    const older = barSeries('2330', weekdays('2026-10-19', 10), 400);
    const bars = classified(classifyWindow(truth.slice(-3), [mirror('a', [...older, ...truth]), mirror('b', truth)], { canAsk: true }));
    expect(bars.map((bar) => bar.trade_date)).toEqual(DAYS.slice(-3));
  });

  it('finds a stored bar both mirrors contradict as store_differs, with their values to repair it', () => {
    const stored = truth.map((bar, i) => (i === 2 ? { ...bar, close_price: bar.close_price + 0.02 } : bar));
    const bars = classified(classifyWindow(stored, [mirror('a', truth), mirror('b', truth)], { canAsk: true }));
    expect(bars[2]).toMatchObject({ trade_date: DAYS[2], verdict: 'store_differs', fix: { bar: truth[2], brokers: ['a', 'b'] } });
    expect(bars.filter((bar) => bar.verdict !== 'agree')).toHaveLength(1);
  });

  it('counts a volume differing by one lot as a difference', () => {
    const stored = truth.map((bar, i) => (i === 0 ? { ...bar, volume: bar.volume + 1 } : bar));
    expect(classified(classifyWindow(stored, [mirror('a', truth), mirror('b', truth)], { canAsk: true }))[0]!.verdict).toBe('store_differs');
  });

  it('finds a hole in the store that both mirrors fill as missing_in_store', () => {
    const stored = truth.filter((_, i) => i !== 3);
    const bars = classified(classifyWindow(stored, [mirror('a', truth), mirror('b', truth)], { canAsk: true }));
    expect(bars.find((bar) => bar.trade_date === DAYS[3])).toMatchObject({ verdict: 'missing_in_store', stored: null, fix: { bar: truth[3] } });
  });

  it('finds a stored bar that both mirrors, having reached the day, lack as missing_on_mirrors', () => {
    const without = truth.filter((_, i) => i !== 3);
    const bars = classified(classifyWindow(truth, [mirror('a', without), mirror('b', without)], { canAsk: true }));
    expect(bars[3]).toMatchObject({ verdict: 'missing_on_mirrors', fix: null });
  });

  describe('two mirrors that disagree', () => {
    const skewed = truth.map((bar, i) => (i === 4 ? skew(bar) : bar));

    it('asks a third mirror, excluding the two heard', () => {
      expect(classifyWindow(truth, [mirror('a', truth), mirror('b', skewed)], { canAsk: true })).toEqual({ kind: 'ask', exclude: ['a', 'b'] });
    });

    it('lets the third settle it: the store and two mirrors agree, the odd mirror is outvoted', () => {
      const bars = classified(classifyWindow(truth, [mirror('a', truth), mirror('b', skewed), mirror('c', truth)], { canAsk: true }));
      expect(verdicts(bars)).toEqual(DAYS.map((day) => [day, 'agree']));
    });

    it('leaves a day mirrors_disagree, never repaired, when no two sources agree', () => {
      const other = truth.map((bar, i) => (i === 4 ? skew(bar, 0.9) : bar));
      const stored = truth.map((bar, i) => (i === 4 ? skew(bar, 1.2) : bar));
      const bars = classified(classifyWindow(stored, [mirror('a', other), mirror('b', skewed), mirror('c', truth)], { canAsk: true }));
      expect(bars[4]).toMatchObject({ verdict: 'mirrors_disagree', fix: null });
    });

    it('decides on what it has when no third mirror answered: the store agreeing with one of them is agree', () => {
      const bars = classified(classifyWindow(truth, [mirror('a', truth), mirror('b', skewed)], { canAsk: false }));
      expect(bars[4]!.verdict).toBe('agree');
    });

    it('has a store matching neither mirror decided as mirrors_disagree when no third answered', () => {
      const stored = truth.map((bar, i) => (i === 4 ? skew(bar, 1.3) : bar));
      const bars = classified(classifyWindow(stored, [mirror('a', truth), mirror('b', skewed)], { canAsk: false }));
      expect(bars[4]!.verdict).toBe('mirrors_disagree');
    });
  });

  describe('a mirror that lags a session', () => {
    const lagging = truth.slice(0, -1);

    it('does not count as lacking the newest day: a current third mirror is asked', () => {
      expect(classifyWindow(truth, [mirror('late', lagging), mirror('b', truth)], { canAsk: true })).toEqual({ kind: 'ask', exclude: ['late', 'b'] });
    });

    it('with the third mirror current, every stored bar agrees', () => {
      const bars = classified(classifyWindow(truth, [mirror('late', lagging), mirror('b', truth), mirror('c', truth)], { canAsk: true }));
      expect(verdicts(bars)).toEqual(DAYS.map((day) => [day, 'agree']));
      expect(bars.at(-1)!.mirrors).toEqual([
        { broker: 'late', reached: false, bar: null },
        { broker: 'b', reached: true, bar: truth.at(-1) },
        { broker: 'c', reached: true, bar: truth.at(-1) },
      ]);
    });

    it('with no third mirror, the newest day is decided by the mirror that has it: agree, not missing_on_mirrors', () => {
      const bars = classified(classifyWindow(truth, [mirror('late', lagging), mirror('b', truth)], { canAsk: false }));
      expect(verdicts(bars)).toEqual(DAYS.map((day) => [day, 'agree']));
    });

    it('two lagging mirrors are no consensus that the newest day is missing: a third is asked', () => {
      expect(classifyWindow(truth, [mirror('late', lagging), mirror('later', lagging)], { canAsk: true })).toEqual({ kind: 'ask', exclude: ['late', 'later'] });
    });

    it('two lagging mirrors and one current: still agree', () => {
      const bars = classified(classifyWindow(truth, [mirror('late', lagging), mirror('later', truth.slice(0, -2)), mirror('c', truth)], { canAsk: true }));
      expect(verdicts(bars)).toEqual(DAYS.map((day) => [day, 'agree']));
    });

    it('a stored bar no mirror has reached yet is missing_on_mirrors', () => {
      const bars = classified(classifyWindow(truth, [mirror('late', lagging), mirror('b', lagging), mirror('c', lagging)], { canAsk: true }));
      expect(bars.at(-1)!.verdict).toBe('missing_on_mirrors');
      expect(bars.slice(0, -1).every((bar) => bar.verdict === 'agree')).toBe(true);
    });
  });

  it('does not compare a day that neither the store nor any mirror has', () => {
    const stored = truth.filter((_, i) => i !== 2);
    const without = truth.filter((_, i) => i !== 2);
    expect(classified(classifyWindow(stored, [mirror('a', without), mirror('b', without)], { canAsk: true }))).toHaveLength(5);
  });

  it('compares nothing for a symbol without stored bars', () => {
    expect(classifyWindow([], [mirror('a', truth), mirror('b', truth)], { canAsk: true })).toEqual({ kind: 'classified', bars: [] });
  });

  it('never takes a missing stored value (NaN) as equal', () => {
    const stored = truth.map((bar, i) => (i === 1 ? { ...bar, volume: Number.NaN } : bar));
    expect(classified(classifyWindow(stored, [mirror('a', truth), mirror('b', truth)], { canAsk: true }))[1]!.verdict).toBe('store_differs');
  });
});
