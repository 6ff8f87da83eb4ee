import { existsSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { benchHistory, benchSymbols, weekdaysEnding } from './bench-history.js';
import { historyRows, writeRowsFile } from './bench-rows.js';
import { MAX_BARS, type Scenario, type ServerScenarioName } from './bench-scenarios.js';
import type { CliLauncher } from './time-cli.js';

/** What every measurement of one invocation shares. */
export interface BenchContext {
  /** The repository under test (its bin/ and dist/). */
  root: string;
  /** The invocation's scratch directory (symbol lists, row files, data directories); removed at the end. */
  work: string;
  admin: pg.Client;
  /** The admin connection's URL; scratch databases are made beside it. */
  adminUrl: string;
  launcher: CliLauncher;
  /** The last closed session ('YYYY-MM-DD'): the farm's newest bar. */
  lastSession: string;
  /** The session before it: the newest bar of a preloaded database. */
  previousSession: string;
  /** MAX_BARS + 1 weekdays ending at lastSession, 'YYYY/MM/DD', oldest first. */
  days: string[];
  errorRate: number;
  /** The scenarios' latencies and limits in this invocation. */
  scenarios: Record<ServerScenarioName, Scenario>;
  /** A progress line on stderr. */
  say(line: string): void;
}

/** The bench's trading days: MAX_BARS + 1 weekdays ending at `lastSession`, and the session before it. */
export function benchDays(lastSession: string): { days: string[]; previousSession: string } {
  const days = weekdaysEnding(lastSession, MAX_BARS + 1);
  return { days, previousSession: (days.at(-2) as string).replaceAll('/', '-') };
}

/** The file listing the first `count` bench symbols (written once per invocation). */
export function symbolsFile(context: BenchContext, count: number): string {
  const path = join(context.work, `symbols-${count}.txt`);
  if (!existsSync(path)) writeFileSync(path, `${benchSymbols(count).join('\n')}\n`);
  return path;
}

/**
 * The COPY text of the first `count` symbols' last MAX_BARS bars, leaving out the
 * `skipNewest` newest (1: the preload of a nightly run; 0: what a backfill writes),
 * written once per invocation and outside any timed region.
 */
export async function rowsFile(context: BenchContext, count: number, skipNewest: number): Promise<string> {
  const path = join(context.work, `rows-${count}-${skipNewest}.tsv`);
  if (!existsSync(path)) {
    const partial = `${path}.partial`;
    await writeRowsFile(partial, historyRows(benchSymbols(count), (symbol) => benchHistory(symbol, context.days), MAX_BARS, skipNewest));
    await rename(partial, path);
  }
  return path;
}
