import { open, readFile, unlink } from 'node:fs/promises';
import { DatabaseUnavailableError, LockHeldError } from '../../errors.js';

/** A held lock; release it once, when the database is closed. */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes `<dataDir>.lock` for this process. PGlite is PostgreSQL in single-user mode with
 * no lock of its own: a second process (or a second instance in this one) opening the
 * same directory would corrupt it. A lock left by a process that no longer runs is
 * taken over.
 * @throws LockHeldError (exit 3, as for a server's run lock) when a live process holds the
 * directory; DatabaseUnavailableError when the lock cannot be taken otherwise.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const path = `${dataDir.replace(/[\\/]+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(`${process.pid}\n`);
      } finally {
        await file.close();
      }
      return { path, release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new LockHeldError(
          `the embedded database ${dataDir} is in use by process ${holder} (lock file ${path})`,
          { pid: holder },
        );
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new DatabaseUnavailableError(`could not take the lock ${path} on the embedded database ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
