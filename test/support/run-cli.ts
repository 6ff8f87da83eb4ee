import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`bin/stock-crawler` → dist/) as a child process, the way cron and
 * the Python backend do. The environment is only what the test passes (plus PATH), so
 * the developer's DATABASE_URL or BROKER_URLS never leak in.
 */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** SIGKILL after this long (default 60 s): a hung child fails its test instead of the suite. */
  timeoutMs?: number;
}

/** A CLI child still running: signal it, read what it wrote so far, await its end. */
export interface StartedCli {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once the process has exited and its pipes are closed; `exitedAt` is Date.now() then. */
  done: Promise<CliRun & { exitedAt: number }>;
}

/** Starts the built CLI as {@link runCli} does, without waiting for it. */
export function startCli(args: readonly string[], options: CliOptions = {}): StartedCli {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the CLI tests');
  // The file itself is run, as cron and the container do: its #! line (and the launcher's
  // node flags there) is part of what is tested. The test's own node comes first on PATH.
  const child = spawn(BIN, [...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliRun & { exitedAt: number }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, exitedAt: Date.now() });
    });
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

/** stdout must hold exactly one JSON document: parse it, failing loudly otherwise. */
export function singleJson(stdout: string): Record<string, unknown> {
  const trimmed = stdout.trim();
  if (trimmed.split('\n').length !== 1) throw new Error(`stdout holds more than one line:\n${stdout.slice(0, 2000)}`);
  return JSON.parse(trimmed) as Record<string, unknown>;
}
