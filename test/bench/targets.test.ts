import { describe, expect, it } from 'vitest';
import { judgeTargets, type TargetInputs } from './targets.js';

const everything: TargetInputs = {
  backfill: { peak_rss_mb: 140, wall_s: 20, wall_over_copy: 1.4, relation_mb: { total: 500 } },
  nightly: { peak_rss_mb: 101, of_ideal: 0.86 },
  polite: { peak_rss_mb: 90, of_ideal: 0.97, cpu_ms_per_symbol: 2.4 },
  embedded: { backfill: { wall_s: 50, peak_rss_mb: 290 }, disk_after_backfill_mb: { total: 600 }, nightly: { peak_rss_mb: 140 } },
  scale: { larger: 8000, smaller: 2000, backfill_rss: 1.05, nightly_rss: 1.2, backfill_wall_per_symbol: 0.95, nightly_wall_per_symbol: 1.1 },
};

function verdict(input: TargetInputs, target: string) {
  const found = judgeTargets(input).find((row) => row.target.startsWith(target));
  if (found === undefined) throw new Error(`no target ${target}`);
  return found;
}

describe('judgeTargets', () => {
  it('judges every row of the issue table on the median runs', () => {
    const rows = judgeTargets(everything);
    expect(rows).toHaveLength(15);
    expect(rows.every((row) => row.met !== null && row.measured !== null)).toBe(true);
    expect(verdict(everything, 'peak RSS, nightly, raised').met).toBe(false);
    expect(verdict(everything, 'peak RSS, nightly, polite').met).toBe(true);
    expect(verdict(everything, 'peak RSS, backfill').met).toBe(true);
    expect(verdict(everything, 'memory as work grows: nightly').met).toBe(false);
    // The bound itself meets a "within" target.
    expect(verdict(everything, 'time as work grows: nightly').met).toBe(true);
    expect(verdict(everything, 'backfill into PostgreSQL').met).toBe(true);
    expect(verdict(everything, 'nightly, polite defaults, CPU').met).toBe(false);
    expect(verdict(everything, 'nightly, raised limits').met).toBe(true);
  });

  it('takes the embedded ratios against the same invocation server backfill', () => {
    const wall = verdict(everything, 'embedded backfill wall');
    expect(wall.measured).toBe(2.5);
    expect(wall.met).toBe(false);
    const disk = verdict(everything, 'embedded on disk');
    expect(disk.measured).toBe(1.2);
    expect(disk.met).toBe(true);
  });

  it('leaves a target unjudged when its scenario was not run', () => {
    const rows = judgeTargets({ nightly: everything.nightly });
    expect(rows.filter((row) => row.met !== null).map((row) => row.target)).toEqual([
      'peak RSS, nightly, raised limits',
      'nightly, raised limits (8 × 8 @ 100 ms), whole run, of ideal rate',
    ]);
    expect(verdict({ embedded: everything.embedded }, 'embedded backfill wall').met).toBeNull();
  });
});
