import type { ScaleRatios } from './scale-scenario.js';

/** The median runs a verdict is drawn from; a missing one leaves its targets unjudged. */
export interface TargetInputs {
  backfill?: { peak_rss_mb: number; wall_s: number; wall_over_copy?: number; relation_mb: { total: number } } | undefined;
  nightly?: { peak_rss_mb: number; of_ideal: number } | undefined;
  polite?: { peak_rss_mb: number; of_ideal: number; cpu_ms_per_symbol: number } | undefined;
  embedded?: { backfill: { wall_s: number; peak_rss_mb: number }; disk_after_backfill_mb: { total: number }; nightly: { peak_rss_mb: number } } | undefined;
  scale?: ScaleRatios | undefined;
}

/** One target of the issue's table with this invocation's value. */
export interface TargetVerdict {
  target: string;
  /** `≤ 100 MB`, `≥ 0.95`… */
  limit: string;
  measured: number | null;
  unit: string;
  /** Null when the scenario it needs was not run. */
  met: boolean | null;
}

type Rule = [target: string, op: '≤' | '≥', bound: number, unit: string, measure: (input: TargetInputs) => number | undefined];

const RULES: Rule[] = [
  ['peak RSS, nightly, raised limits', '≤', 100, 'MB', (i) => i.nightly?.peak_rss_mb],
  ['peak RSS, nightly, polite defaults', '≤', 100, 'MB', (i) => i.polite?.peak_rss_mb],
  ['peak RSS, backfill', '≤', 150, 'MB', (i) => i.backfill?.peak_rss_mb],
  ['memory as work grows: backfill peak RSS, largest / next size', '≤', 1.1, '×', (i) => i.scale?.backfill_rss],
  ['memory as work grows: nightly peak RSS, largest / next size', '≤', 1.1, '×', (i) => i.scale?.nightly_rss],
  ['time as work grows: backfill wall per symbol, largest / next size', '≤', 1.1, '×', (i) => i.scale?.backfill_wall_per_symbol],
  ['time as work grows: nightly wall per symbol, largest / next size', '≤', 1.1, '×', (i) => i.scale?.nightly_wall_per_symbol],
  ['backfill into PostgreSQL, whole run / same-run psql \\copy', '≤', 1.5, '×', (i) => i.backfill?.wall_over_copy],
  ['embedded backfill wall / same-invocation server backfill wall', '≤', 2, '×', (i) => ratio(i.embedded?.backfill.wall_s, i.backfill?.wall_s)],
  ['embedded backfill peak RSS', '≤', 300, 'MB', (i) => i.embedded?.backfill.peak_rss_mb],
  ['embedded on disk after backfill / server table + indexes', '≤', 1.3, '×', (i) => ratio(i.embedded?.disk_after_backfill_mb.total, i.backfill?.relation_mb.total)],
  ['embedded nightly peak RSS', '≤', 150, 'MB', (i) => i.embedded?.nightly.peak_rss_mb],
  ['nightly, raised limits (8 × 8 @ 100 ms), whole run, of ideal rate', '≥', 0.85, '', (i) => i.nightly?.of_ideal],
  ['nightly, polite defaults, whole run, of ideal rate', '≥', 0.95, '', (i) => i.polite?.of_ideal],
  ['nightly, polite defaults, CPU per symbol', '≤', 2, 'ms', (i) => i.polite?.cpu_ms_per_symbol],
];

/** Every target of the issue's table, judged on the median runs of one invocation. */
export function judgeTargets(input: TargetInputs): TargetVerdict[] {
  return RULES.map(([target, op, bound, unit, measure]) => {
    const value = measure(input);
    const measured = value === undefined || !Number.isFinite(value) ? null : value;
    const met = measured === null ? null : op === '≤' ? measured <= bound : measured >= bound;
    return { target, limit: `${op} ${bound}${unit === '' || unit === '×' ? '' : ` ${unit}`}${unit === '×' ? ' ×' : ''}`, measured, unit, met };
  });
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : Number((a / b).toFixed(3));
}
