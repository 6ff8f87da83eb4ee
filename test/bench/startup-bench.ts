/**
 * Start-up time of the built CLI, as a user sees it: wall time of whole child
 * processes, after a few warm-up runs, one command line at a time:
 *
 *     npm run build && npx tsx test/bench/startup-bench.ts [--runs 10] [--warmup 3]
 *
 * Prints one JSON document: per command line the median, min and max in ms, and
 * for scale the same for a bare `node -e ""`, which no CLI can beat.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
  },
});
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const bin = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));

const lines: Record<string, string[]> = {
  'node -e ""': ['-e', ''],
  '--help': [bin, '--help'],
  'update --help': [bin, 'update', '--help'],
  '--version': [bin, '--version'],
};

function once(argv: string[]): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`node ${argv.join(' ')} exited ${child.status}: ${child.stderr.toString()}`);
  return ms;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
const report: Record<string, { median_ms: number; min_ms: number; max_ms: number; runs: number }> = {};
for (const [name, argv] of Object.entries(lines)) {
  for (let i = 0; i < WARMUP; i++) once(argv);
  const times = Array.from({ length: RUNS }, () => once(argv)).sort((a, b) => a - b);
  const middle = times.length / 2;
  const median = times.length % 2 === 1 ? times[Math.floor(middle)]! : (times[middle - 1]! + times[middle]!) / 2;
  report[name] = { median_ms: round(median), min_ms: round(times[0]!), max_ms: round(times.at(-1)!), runs: RUNS };
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
