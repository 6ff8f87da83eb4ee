import type { RunCounts } from './run-types.js';

/** A count as an int column takes it: a non-negative integer, at most 2^31 − 1; 0 for NaN and ±Infinity. */
export function clampCount(value: number): number {
  return Number.isFinite(value) ? Math.min(2 ** 31 - 1, Math.max(0, Math.trunc(value))) : 0;
}

/** Every count clamped as {@link clampCount} does. */
export function normalizeCounts(counts: RunCounts): RunCounts {
  return {
    processed: clampCount(counts.processed),
    total: clampCount(counts.total),
    succeeded: clampCount(counts.succeeded),
    failed: clampCount(counts.failed),
  };
}

/** task_execution_logs.progress: whole percent done, 0..100 (0 while the total is unknown). */
export function percentDone(counts: RunCounts): number {
  return counts.total > 0 ? Math.min(100, Math.floor((counts.processed * 100) / counts.total)) : 0;
}
