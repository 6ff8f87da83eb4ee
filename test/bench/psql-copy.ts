import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { COPY_COLUMNS } from './bench-rows.js';

/** One `\copy` as psql ran it: its wall time (spawn to exit, ms) and the rows it reports. */
export interface PsqlCopy {
  ms: number;
  rows: number;
}

/**
 * Loads a COPY text file into `table` the way an operator would, `psql -c "\copy … from
 * 'file'"`: psql reads the file and streams it to the server. The bench times the whole
 * child, so nothing of the bench's own process (generating rows, its heap) is in it.
 */
export async function psqlCopy(databaseUrl: string, table: string, file: string): Promise<PsqlCopy> {
  const command = `\\copy ${table} (${COPY_COLUMNS}) from '${file.replaceAll("'", "''")}'`;
  const started = performance.now();
  const child = spawn('psql', ['--no-psqlrc', '--set', 'ON_ERROR_STOP=1', '--dbname', databaseUrl, '--command', command], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`psql \\copy into ${table} exited ${code}: ${out.slice(-500)}`);
  const rows = /COPY (\d+)/.exec(out)?.[1];
  return { ms, rows: rows === undefined ? Number.NaN : Number(rows) };
}
