import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName, type ServerScenarioName } from './bench-scenarios.js';

/** A bad flag: the bench says so on one line and exits 2. */
export class BenchUsageError extends Error {}

/** What one invocation runs. */
export interface BenchOptions {
  /** In run order; `embedded` brings `backfill` with it (its ratio is to the server backfill of the same invocation). */
  scenarios: ScenarioName[];
  /** The server scenarios to run, in order. */
  server: ServerScenarioName[];
  /** The mirrors' latency for every scenario instead of each one's own (ms). */
  latencyMs: number | undefined;
  /** Symbols of every scenario but `scale`. Default 2,000. */
  symbols: number;
  /** Whole runs per scenario; the reported run is the one with the median wall time. Default 1. */
  runs: number;
  /** Fraction of answers the farm turns into 503s. Default 0. */
  errorRate: number;
  /** `scale`: the symbol counts, ascending. Default 500, 2,000, 8,000. */
  scaleSizes: number[];
  /** `scale`: where the SVG chart goes. Default test/bench/out/scale.svg (relative to the repository). */
  chart: string;
  skipStartup: boolean;
  /** Leave out the extra runs that say where memory goes. */
  skipMemory: boolean;
  /** Pass the bench's STOCK_CRAWLER_* and NODE_OPTIONS on to the crawler instead of refusing to run. */
  passEnv: boolean;
}

export const BENCH_USAGE = `usage: bench.ts [--scenario all|backfill,nightly,polite,embedded,scale] [--symbols N] [--runs N]
  [--latency-ms MS] [--error-rate F] [--scale-sizes 500,2000,8000] [--chart PATH] [--skip-startup] [--skip-memory] [--pass-env]`;

/** Reads the bench's flags. @throws BenchUsageError */
export function parseBenchOptions(argv: string[]): BenchOptions {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'all' },
        symbols: { type: 'string', default: '2000' },
        runs: { type: 'string', default: '1' },
        'latency-ms': { type: 'string' },
        'error-rate': { type: 'string', default: '0' },
        'scale-sizes': { type: 'string', default: '500,2000,8000' },
        chart: { type: 'string', default: 'test/bench/out/scale.svg' },
        'skip-startup': { type: 'boolean', default: false },
        'skip-memory': { type: 'boolean', default: false },
        'pass-env': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const scenarios = scenarioList(values.scenario);
  const latencyMs = values['latency-ms'] === undefined ? undefined : nonNegative(values['latency-ms'], '--latency-ms');
  const server = scenarios.filter((name): name is ServerScenarioName => name in SCENARIOS);
  const errorRate = nonNegative(values['error-rate'], '--error-rate');
  if (errorRate >= 1) throw new BenchUsageError(`--error-rate: expected a fraction below 1, got ${values['error-rate']}`);
  const scaleSizes = values['scale-sizes'].split(',').map((size) => positiveInt(size, '--scale-sizes'));
  if (scaleSizes.length < 2 || scaleSizes.some((size, i) => i > 0 && size <= (scaleSizes[i - 1] as number))) {
    throw new BenchUsageError(`--scale-sizes: expected two or more ascending counts, got ${values['scale-sizes']}`);
  }
  return {
    scenarios,
    server,
    latencyMs,
    symbols: positiveInt(values.symbols, '--symbols'),
    runs: positiveInt(values.runs, '--runs'),
    errorRate,
    scaleSizes,
    chart: values.chart,
    skipStartup: values['skip-startup'],
    skipMemory: values['skip-memory'],
    passEnv: values['pass-env'],
  };
}

function scenarioList(text: string): ScenarioName[] {
  const asked = text === 'all' ? [...SCENARIO_NAMES] : text.split(',');
  for (const name of asked) {
    if (!SCENARIO_NAMES.includes(name as ScenarioName)) throw new BenchUsageError(`--scenario: unknown ${name} (${SCENARIO_NAMES.join(', ')}, all)`);
  }
  if (asked.includes('embedded') && !asked.includes('backfill')) asked.push('backfill');
  return SCENARIO_NAMES.filter((name) => asked.includes(name));
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new BenchUsageError(`${flag}: expected a positive integer, got ${text}`);
  return value;
}

function nonNegative(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new BenchUsageError(`${flag}: expected a number ≥ 0, got ${text}`);
  return value;
}
