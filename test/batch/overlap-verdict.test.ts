import { describe, expect, it } from 'vitest';
import { judgeOverlap, MAX_OPINIONS, type Opinion } from '../../src/batch/overlap-verdict.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { bar } from './bars.js';

const DAYS = ['2026-01-01', '2026-01-02', '2026-01-05', '2026-01-06'];
const stored = [bar(DAYS[0]!, 470), bar(DAYS[1]!, 471.5), bar(DAYS[2]!, 480)];
/** The stored days as they are, and the new one. */
const truth = [...stored, bar(DAYS[3]!, 485)];
/** Every price scaled, as after an ex-dividend adjustment (or a mirror serving another series). */
const scaled = (factor: number) => truth.map((b) => bar(b.trade_date, Math.round(b.close_price * factor * 100) / 100));
/** Each day carrying the previous day's values: dates shifted by one. */
const shifted = truth.slice(1).map((b, i) => ({ ...truth[i]!, trade_date: b.trade_date }));

const says = (broker: string, bars: readonly DailyBar[]): Opinion => ({ broker, bars });

describe('judgeOverlap', () => {
  it('one mirror agreeing with the stored bars settles it: nothing more is asked', () => {
    expect(judgeOverlap(stored, [says('a', truth)])).toEqual({ kind: 'holds', source: 0, faulty: [] });
  });

  it('a mirror out of line is not a revision: another mirror is asked first, never the same one', () => {
    expect(judgeOverlap(stored, [says('a', shifted)])).toEqual({ kind: 'ask', exclude: ['a'] });
  });

  it('when the second mirror agrees with the stored bars, the first is at fault and the second is used', () => {
    expect(judgeOverlap(stored, [says('a', shifted), says('b', truth)])).toEqual({ kind: 'holds', source: 1, faulty: ['a'] });
  });

  it('two mirrors agreeing on new values make a revision', () => {
    expect(judgeOverlap(stored, [says('a', scaled(0.95)), says('b', scaled(0.95))])).toEqual({ kind: 'revised', source: 0, faulty: [] });
  });

  it('two mirrors disagreeing with the stored bars and with each other call for a third', () => {
    expect(judgeOverlap(stored, [says('a', scaled(1.1)), says('b', scaled(0.95))])).toEqual({ kind: 'ask', exclude: ['a', 'b'] });
  });

  it('a third mirror siding with one of them makes the revision, and charges the odd one out', () => {
    const verdict = judgeOverlap(stored, [says('a', scaled(1.1)), says('b', scaled(0.95)), says('c', scaled(0.95))]);
    expect(verdict).toEqual({ kind: 'revised', source: 1, faulty: ['a'] });
  });

  it('a third mirror siding with the stored bars charges both others', () => {
    const verdict = judgeOverlap(stored, [says('a', scaled(1.1)), says('b', shifted), says('c', truth)]);
    expect(verdict).toEqual({ kind: 'holds', source: 2, faulty: ['a', 'b'] });
  });

  it(`gives up after ${MAX_OPINIONS} mirrors that all disagree`, () => {
    const verdict = judgeOverlap(stored, [says('a', scaled(1.1)), says('b', scaled(0.95)), says('c', shifted)]);
    expect(verdict).toEqual({ kind: 'unresolved' });
    expect(judgeOverlap(stored, [says('a', scaled(1.1)), says('b', scaled(0.95))], 2)).toEqual({ kind: 'unresolved' });
  });

  it('a first answer with no stored day in it has nothing to compare: the whole history is fetched', () => {
    expect(judgeOverlap(stored, [says('a', [bar('2026-02-01', 500)])])).toEqual({ kind: 'no_overlap' });
  });

  it('a later answer with no stored day in it neither confirms nor is charged', () => {
    const verdict = judgeOverlap(stored, [says('a', shifted), says('b', [bar('2026-02-01', 500)])]);
    expect(verdict).toEqual({ kind: 'ask', exclude: ['a', 'b'] });
    expect(judgeOverlap(stored, [says('a', shifted), says('b', [bar('2026-02-01', 500)]), says('c', truth)])).toEqual({
      kind: 'holds',
      source: 2,
      faulty: ['a'],
    });
  });

  it('asks the first mirror when nothing was heard yet', () => {
    expect(judgeOverlap(stored, [])).toEqual({ kind: 'ask', exclude: [] });
  });
});
