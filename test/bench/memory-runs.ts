import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { benchSymbols } from './bench-history.js';
import type { BenchContext } from './bench-context.js';
import type { DatabaseClientMemory } from './database-client-memory.js';
import { mb } from './run-figures.js';
import { timeCli } from './time-cli.js';

/**
 * Peak RSS (MB) of the crawler with its code loaded and its database open but no work:
 * an `update` of one symbol that is already fresh (skipped without a request), on the
 * database the scenario left behind. Null when the symbol was not skipped.
 */
export async function loadedRssMb(context: BenchContext, env: Record<string, string>, location: string[]): Promise<number | null> {
  const symbol = benchSymbols(1)[0] as string;
  const run = await timeCli(context.launcher, ['update', '--symbols', symbol, '--quiet', ...location], { env });
  if (run.exitCode !== 0 || run.summary?.result?.skipped !== 1) {
    context.say(`memory: the no-work run did not skip ${symbol} (exit ${run.exitCode}); its figure is left out`);
    return null;
  }
  return mb(run.maxRssKb * 1024);
}

/** database-client-memory.ts in a process of its own, on a server URL or an embedded data directory. */
export async function databaseClientMemory(context: BenchContext, target: string): Promise<DatabaseClientMemory | null> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(context.root, 'test/bench/database-client-memory.ts'), target], {
    cwd: context.root,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) {
    context.say(`memory: database-client-memory exited ${code}: ${err.slice(-300)}`);
    return null;
  }
  return JSON.parse(out) as DatabaseClientMemory;
}

/** The probe file of one run in the scratch directory. */
export function probeFile(context: BenchContext, label: string): string {
  return join(context.work, `probe-${label}.json`);
}
