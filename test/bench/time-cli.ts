import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { epochMs } from './epoch-ms.js';

/** The memory probe's document (memory-probe.mjs); sizes in bytes. */
export interface ProbeReport {
  samples: number;
  peak: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  at_peak_rss: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; spaces: Record<string, number> } | null;
  gc: { major: number; minor: number; incremental: number; weakcb: number; pause_ms: number; live_after_major_max: number; live_after_major_last: number };
  heap_size_limit: number;
  max_rss_resource_usage_kb: number;
}

/** One whole crawler process, start to exit. */
export interface CliRun {
  /** epochMs when the process was spawned and when it ended. */
  spawnedAt: number;
  endedAt: number;
  wallMs: number;
  /** User + system CPU of the process, worker threads included (GNU time). */
  cpuMs: number;
  /** Peak resident set of the process, in kB (GNU time). */
  maxRssKb: number;
  exitCode: number | null;
  /** The JSON document on stdout, or null when it was not one. */
  summary: any;
  stderrTail: string;
  probe: ProbeReport | null;
}

/** How the crawler is started: the same for every run of one invocation. */
export interface CliLauncher {
  /** The CLI's entry (bin/stock-crawler of the tree under test). */
  bin: string;
  /** Arguments to the crawler's node (BENCH_NODE_ARGS). */
  nodeArgs: string[];
  /** The crawler's working directory (the bench's scratch directory). */
  cwd: string;
  /** Variables every run gets besides PATH (with --pass-env, the bench's crawler settings). */
  env: Record<string, string>;
}

/** What one run adds: its environment, and whether the memory probe rides along. */
export interface CliRunOptions {
  env?: Record<string, string>;
  /** Load memory-probe.mjs and read its document from this file. */
  probeFile?: string | undefined;
}

/**
 * The node flags of the CLI's `#!/usr/bin/env -S node …` line. The bench starts node
 * itself (to add BENCH_NODE_ARGS and the probe), so it passes these as running the file
 * would: what is measured is what cron and the container run.
 */
export function launcherFlags(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env(?: -S)? node((?: \S+)*)\s*$/.exec(first);
  return match === null ? [] : (match[1] ?? '').split(' ').filter(Boolean);
}

const PROBE = pathToFileURL(join(import.meta.dirname, 'memory-probe.mjs')).href;
let sequence = 0;

/** Runs the CLI under GNU time and collects its wall time, CPU, peak RSS and stdout document. */
export async function timeCli(launcher: CliLauncher, args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  sequence += 1;
  const timeFile = join(launcher.cwd, `time-${process.pid}-${sequence}.txt`);
  const probeArgs = options.probeFile === undefined ? [] : ['--import', PROBE];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...launcher.env, ...options.env };
  if (options.probeFile !== undefined) env.BENCH_MEMORY_PROBE_FILE = options.probeFile;
  const spawnedAt = epochMs();
  const started = performance.now();
  const node = launcher.bin === '-e' ? [] : launcherFlags(launcher.bin);
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', process.execPath, ...node, ...launcher.nodeArgs, ...probeArgs, launcher.bin, ...args], {
    cwd: launcher.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const wallMs = performance.now() - started;
  const endedAt = epochMs();
  // GNU time writes "Command exited with non-zero status N" first when it did.
  const [user, system, rss] = (readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  rmSync(timeFile, { force: true });
  return {
    spawnedAt,
    endedAt,
    wallMs,
    cpuMs: ((user ?? 0) + (system ?? 0)) * 1000,
    maxRssKb: rss ?? 0,
    exitCode,
    summary: parseJson(stdout),
    stderrTail: stderr.slice(-1500),
    probe: options.probeFile === undefined ? null : (parseJson(readOptional(options.probeFile)) as ProbeReport | null),
  };
}

/** Peak RSS (kB) of a bare `node -e ""`: the floor under any Node program. */
export async function bareNodeRssKb(cwd: string): Promise<number> {
  const run = await timeCli({ bin: '-e', nodeArgs: [], cwd, env: {} }, ['']);
  return run.maxRssKb;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
