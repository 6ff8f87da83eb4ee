import { describe, expect, it } from 'vitest';
import { planSymbol, type PlanInput, type SymbolPlan } from '../../src/batch/plan.js';
import { CrawlerError } from '../../src/errors.js';

// 2026-01-02 Friday, 2026-01-05 Monday.
const base: PlanInput = { symbol: '2330', latestStored: '2026-01-02', lastSession: '2026-01-05', force: false, full: false, overlapBars: 3, fullCount: 2880 };

describe('planSymbol', () => {
  it.each<[string, Partial<PlanInput>, SymbolPlan]>([
    ['no history → full', { latestStored: null }, { kind: 'full', count: 2880, reason: 'no_history' }],
    ['no history with --full → full, no_history', { latestStored: null, full: true }, { kind: 'full', count: 2880, reason: 'no_history' }],
    ['no history with --force → full', { latestStored: null, force: true }, { kind: 'full', count: 2880, reason: 'no_history' }],
    ['fresh → skip', { latestStored: '2026-01-05' }, { kind: 'skip', reason: 'fresh' }],
    ['stored after the session (weekend bar, clock skew) → skip', { latestStored: '2026-01-06' }, { kind: 'skip', reason: 'fresh' }],
    ['Saturday bar when the session is Friday → skip', { latestStored: '2026-01-03', lastSession: '2026-01-02' }, { kind: 'skip', reason: 'fresh' }],
    ['one session missing → 1 + 3 overlap', {}, { kind: 'incremental', count: 4, since: '2026-01-02' }],
    ['a week missing → 5 + 3', { latestStored: '2025-12-26' }, { kind: 'incremental', count: 9, since: '2025-12-26' }],
    ['Sunday bar, Monday session → 1 + 3', { latestStored: '2026-01-04' }, { kind: 'incremental', count: 4, since: '2026-01-04' }],
    ['--force when fresh → overlap + 1', { latestStored: '2026-01-05', force: true }, { kind: 'incremental', count: 4, since: '2026-01-05' }],
    ['--force when stale → the normal window', { latestStored: '2025-12-26', force: true }, { kind: 'incremental', count: 9, since: '2025-12-26' }],
    ['--full with history → full', { full: true }, { kind: 'full', count: 2880, reason: 'forced_full' }],
    ['--full when fresh → full', { latestStored: '2026-01-05', full: true }, { kind: 'full', count: 2880, reason: 'forced_full' }],
    ['full but only stale (fetch --skip-fresh), fresh → skip', { latestStored: '2026-01-05', full: true, onlyStale: true }, { kind: 'skip', reason: 'fresh' }],
    ['full but only stale, stale → full', { full: true, onlyStale: true }, { kind: 'full', count: 2880, reason: 'forced_full' }],
    ['custom overlap', { overlapBars: 10 }, { kind: 'incremental', count: 11, since: '2026-01-02' }],
    ['overlap 0', { overlapBars: 0 }, { kind: 'incremental', count: 1, since: '2026-01-02' }],
    ['custom full count', { latestStored: null, fullCount: 500 }, { kind: 'full', count: 500, reason: 'no_history' }],
    ['years stale → capped at the full count', { latestStored: '2010-01-04' }, { kind: 'incremental', count: 2880, since: '2010-01-04' }],
    ['capped at a small full count', { latestStored: '2025-12-01', fullCount: 10 }, { kind: 'incremental', count: 10, since: '2025-12-01' }],
  ])('%s', (_name, overrides, expected) => {
    expect(planSymbol({ ...base, ...overrides })).toEqual(expected);
  });

  it.each<Partial<PlanInput>>([{ overlapBars: -1 }, { overlapBars: 1.5 }, { fullCount: 0 }])('refuses limits %j as a bug', (overrides) => {
    expect(() => planSymbol({ ...base, ...overrides })).toThrow(CrawlerError);
  });
});
