import { describe, expect, it } from 'vitest';
import { compareWindow, CONFIRM_PRICE_TOLERANCE } from '../../src/batch/confirm-history.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { bar } from '../support/bars.js';

const DAYS = ['2026-01-02', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08'];
const history: DailyBar[] = DAYS.map((day, i) => bar('2330', day, 500 + i));

describe('compareWindow: what a second mirror\'s newest bars say of a history', () => {
  it('agrees on the same dates and values, prices within 0.01', () => {
    expect(compareWindow(history, history.slice(-3), 3)).toBe('agree');
    const near = history.map((b) => ({ ...b, close_price: b.close_price + CONFIRM_PRICE_TOLERANCE / 2 }));
    expect(compareWindow(history, near, 3)).toBe('agree');
  });

  it('differs on a price beyond 0.01, another volume, a missing day between, or no bars', () => {
    const off = history.map((b, i) => (i === 3 ? { ...b, close_price: b.close_price + 0.02 } : b));
    expect(compareWindow(history, off, 3)).toBe('differs');
    expect(compareWindow(history, history.map((b) => ({ ...b, volume: b.volume + 1 })), 3)).toBe('differs');
    expect(compareWindow(history, [history[1]!, history[2]!, history[4]!], 3)).toBe('differs');
    expect(compareWindow(history, [], 3)).toBe('differs');
  });

  it('lags when the window agrees on every day it has but lacks the newest: late, not wrong', () => {
    expect(compareWindow(history, history.slice(0, -1), 3)).toBe('lags');
  });

  it('is ahead when the history is the one a session behind', () => {
    expect(compareWindow(history.slice(0, -1), history, 3)).toBe('ahead');
    const behind = history.slice(0, -1).map((b, i) => (i === 3 ? { ...b, open_price: b.open_price + 5 } : b));
    expect(compareWindow(behind, history, 3)).toBe('differs');
  });
});
