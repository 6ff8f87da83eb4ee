import { describe, expect, it } from 'vitest';
import { createWarningFolder, formatFoldSummary, type FoldSummary } from '../../../src/cli/terminal/warning-folder.js';

const failed = (broker: string, fault: string, symbol = '2330') => ({ level: 40, msg: 'attempt failed', symbol, broker, fault, code: 'E_MIRROR_NETWORK', status: 'E_MIRROR_NETWORK', ms: 12 });

describe('createWarningFolder', () => {
  it('prints the first attempt failure of each mirror in a window and counts the rest by mirror and fault', () => {
    const folder = createWarningFolder({ intervalMs: 5_000 });
    const shown = [
      folder.offer(failed('fubon', 'reset'), 1_000),
      folder.offer(failed('fubon', 'reset'), 1_100),
      folder.offer(failed('kgi', 'http_5xx'), 1_200),
      folder.offer(failed('fubon', 'timeout'), 1_300),
      folder.offer(failed('kgi', 'http_5xx'), 1_400),
      folder.offer(failed('fubon', 'reset'), 5_999),
    ];
    expect(shown).toEqual([true, false, true, false, false, false]);
    expect(folder.nextDueAt()).toBe(6_000);
    expect(folder.due(5_999)).toEqual([]);
    const summaries = folder.due(6_000);
    expect(summaries).toEqual<FoldSummary[]>([
      {
        msg: 'attempt failed',
        count: 4,
        startedAt: 1_000,
        endedAt: 6_000,
        brokers: [
          { broker: 'fubon', count: 3, faults: [['reset', 2], ['timeout', 1]] },
          { broker: 'kgi', count: 1, faults: [['http_5xx', 1]] },
        ],
      },
    ]);
    expect(folder.nextDueAt()).toBeUndefined();
    expect(folder.due(7_000)).toEqual([]);
  });

  it('opens a new window after one ends, and keeps the ended one for due() even when a record came first', () => {
    const folder = createWarningFolder({ intervalMs: 1_000 });
    expect(folder.offer(failed('fubon', 'reset'), 0)).toBe(true);
    expect(folder.offer(failed('fubon', 'reset'), 500)).toBe(false);
    // The window ended at 1,000; this record opens the next one and is printed.
    expect(folder.offer(failed('fubon', 'timeout'), 1_500)).toBe(true);
    expect(folder.offer(failed('fubon', 'timeout'), 1_600)).toBe(false);
    const first = folder.due(1_600);
    expect(first.map(({ count, startedAt, endedAt }) => ({ count, startedAt, endedAt }))).toEqual([{ count: 1, startedAt: 0, endedAt: 1_000 }]);
    expect(folder.nextDueAt()).toBe(2_500);
  });

  it('says nothing for a window where nothing was folded', () => {
    const folder = createWarningFolder({ intervalMs: 1_000 });
    expect(folder.offer(failed('fubon', 'reset'), 0)).toBe(true);
    expect(folder.offer(failed('kgi', 'reset'), 10)).toBe(true);
    expect(folder.due(5_000)).toEqual([]);
    expect(folder.drain(5_000)).toEqual([]);
  });

  it('folds nothing with an interval of 0', () => {
    const folder = createWarningFolder({ intervalMs: 0 });
    expect([0, 0, 0, 1].map((now) => folder.offer(failed('fubon', 'reset'), now))).toEqual([true, true, true, true]);
    expect(folder.drain(1)).toEqual([]);
  });

  it('never folds errors, other levels or other messages', () => {
    const folder = createWarningFolder({ intervalMs: 60_000 });
    const records = [
      { level: 50, msg: 'attempt failed', broker: 'fubon' },
      { level: 30, msg: 'attempt failed', broker: 'fubon' },
      { level: 40, msg: 'could not record progress' },
      { level: 40, msg: 'attempt failed', broker: 'fubon' },
    ];
    for (let round = 0; round < 3; round++) {
      expect(records.map((record) => folder.offer(record, round * 10))).toEqual([true, true, true, round === 0]);
    }
  });

  it('folds the messages it is given, records without a mirror under their code', () => {
    const folder = createWarningFolder({ intervalMs: 1_000, messages: ['could not record progress'] });
    const warn = { level: 40, msg: 'could not record progress', code: 'E_DB_UNAVAILABLE' };
    expect([folder.offer(warn, 0), folder.offer(warn, 1), folder.offer({ level: 40, msg: 'could not record progress' }, 2)]).toEqual([true, false, false]);
    expect(folder.offer(failed('fubon', 'reset'), 3)).toBe(true);
    expect(folder.offer(failed('fubon', 'reset'), 4)).toBe(true);
    const [summary] = folder.drain(400);
    expect(summary).toEqual({ msg: 'could not record progress', count: 2, startedAt: 0, endedAt: 400, brokers: [{ broker: '', count: 2, faults: [['E_DB_UNAVAILABLE', 1], ['other', 1]] }] });
    expect(formatFoldSummary(summary!)).toBe('could not record progress ×2 in 0.4 s: E_DB_UNAVAILABLE 1, other 1');
  });

  it('drain closes every open window at once, each at its own end when it was already over', () => {
    const folder = createWarningFolder({ intervalMs: 1_000, messages: ['attempt failed', 'slow'] });
    folder.offer(failed('fubon', 'reset'), 0);
    folder.offer(failed('fubon', 'reset'), 1);
    folder.offer({ level: 40, msg: 'slow', broker: 'kgi' }, 800);
    folder.offer({ level: 40, msg: 'slow', broker: 'kgi' }, 900);
    const summaries = folder.drain(1_200);
    expect(summaries.map(({ msg, endedAt }) => ({ msg, endedAt }))).toEqual([
      { msg: 'attempt failed', endedAt: 1_000 },
      { msg: 'slow', endedAt: 1_200 },
    ]);
    expect(folder.nextDueAt()).toBeUndefined();
  });
});

describe('formatFoldSummary', () => {
  it('names the count, the window and each mirror with its faults, the most frequent first', () => {
    const summary: FoldSummary = {
      msg: 'attempt failed',
      count: 14,
      startedAt: 0,
      endedAt: 5_000,
      brokers: [
        { broker: 'fubon', count: 9, faults: [['reset', 6], ['timeout', 3]] },
        { broker: 'kgi', count: 5, faults: [['http_5xx', 5]] },
      ],
    };
    expect(formatFoldSummary(summary)).toBe('attempt failed ×14 in 5 s: fubon 9 (reset 6, timeout 3), kgi 5 (http_5xx 5)');
    expect(formatFoldSummary({ ...summary, endedAt: 12_345 })).toMatch(/ in 12 s: /);
    expect(formatFoldSummary({ ...summary, endedAt: 2_345 })).toMatch(/ in 2\.3 s: /);
  });
});
