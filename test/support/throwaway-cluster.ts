import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe } from 'vitest';
import { freePort } from './ports.js';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, on its own port and data directory, that a
 * test may stop and start at will: the shared server must never be stopped. Removed by
 * `remove()` (and, failing that, when the test process exits).
 */
export interface ThrowawayCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:{port}/{database}; trust authentication. */
  url(database?: string): string;
  /** pg_ctl stop: `immediate` is a crash (no shutdown checkpoint), `fast` ends sessions cleanly. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it (if running) and deletes its directory. */
  remove(): Promise<void>;
}

/** The bin directory holding initdb and pg_ctl: $PG_BIN, the newest /usr/lib/postgresql/N/bin, or undefined. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

// PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user.
const asRoot = process.getuid?.() === 0;

async function asOwner(bin: string, args: readonly string[]): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
  await run(file, argv, { timeout: 60_000 });
}

/**
 * initdb into a fresh temporary directory, then starts the cluster on a free loopback
 * port. fsync is off: a test cluster only has to survive its server, not the machine.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('initdb not found: install PostgreSQL server binaries or set PG_BIN');
  const root = await mkdtemp(join(tmpdir(), 'stock-crawler-cluster-'));
  if (asRoot) {
    const owner = await ownerIds('postgres');
    await chown(root, owner.uid, owner.gid);
  }
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  const port = await freePort();
  let running = false;
  let removed = false;

  const cleanUpOnExit = (): void => {
    if (removed) return;
    try {
      const argv = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...argv], { stdio: 'ignore' });
      else execFileSync(join(bin, 'pg_ctl'), argv, { stdio: 'ignore' });
    } catch {
      // Not running.
    }
    execFileSync('rm', ['-rf', root]);
  };
  process.once('exit', cleanUpOnExit);

  const start = async (): Promise<void> => {
    const serverOptions = [
      `-p ${port}`,
      `-k ${root}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=40',
      '-c shared_buffers=16MB',
    ].join(' ');
    try {
      await asOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start']);
    } catch (error) {
      throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${serverLog(log)}`);
    }
    running = true;
  };

  try {
    await asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    await start();
  } catch (error) {
    cleanUpOnExit();
    removed = true;
    process.removeListener('exit', cleanUpOnExit);
    throw error;
  }

  const stop = async (mode: 'immediate' | 'fast' = 'fast'): Promise<void> => {
    await asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    running = false;
  };

  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    get running() {
      return running;
    },
    start,
    stop,
    async remove() {
      if (removed) return;
      if (running) await stop('immediate').catch(() => undefined);
      removed = true;
      process.removeListener('exit', cleanUpOnExit);
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function ownerIds(user: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run('id', ['-u', user]);
  const { stdout: gid } = await run('id', ['-g', user]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

function serverLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2_000);
  } catch {
    return '(no server log)';
  }
}

/**
 * `describe` when a throw-away cluster can be made here (initdb found), otherwise
 * `describe.skip` with a message saying why, so a green run without it is not taken for
 * a full one.
 */
export function describeWithCluster(name: string, fn: () => void): void {
  if (postgresBinDir() !== undefined) {
    describe(name, fn);
    return;
  }
  console.warn(`!! SKIPPED "${name}": no initdb (install the PostgreSQL server binaries or set PG_BIN) for a throw-away cluster`);
  // Skipped because this machine has no initdb to make a cluster with; CI's machine has it.
  describe.skip(name, fn);
}
