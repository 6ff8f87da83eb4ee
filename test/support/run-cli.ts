import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

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
export async function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the CLI tests');
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/** stdout must hold exactly one JSON document: parse it, failing loudly otherwise. */
export function singleJson(stdout: string): Record<string, unknown> {
  const trimmed = stdout.trim();
  if (trimmed.split('\n').length !== 1) throw new Error(`stdout holds more than one line:\n${stdout.slice(0, 2000)}`);
  return JSON.parse(trimmed) as Record<string, unknown>;
}
