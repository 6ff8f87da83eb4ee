import type pg from 'pg';

/** What a lock is for: a job and its shard ('I/N'), null for the whole universe. */
export interface RunLockKey {
  job: string;
  shard: string | null;
}

/**
 * One advisory lock a run takes. `holders` says which running runs can hold it against
 * us: any run of the job, only unsharded ones, or only runs of the same shard.
 */
export interface LockStep {
  name: string;
  shared: boolean;
  holders: 'any' | 'unsharded' | 'same-shard';
}

// The two-int form: the first names the application, so other users of advisory
// locks in a shared database cannot collide with ours.
const NAMESPACE = 'stock-crawler';
/** The advisory lock's name within the namespace: 'update:all', 'update:0/4'. */
export function runLockName(key: RunLockKey): string {
  return `${key.job}:${key.shard ?? 'all'}`;
}

/**
 * An unsharded run covers every shard: it takes the job's 'all' lock exclusively. A
 * sharded run takes 'all' shared (shards run side by side, never beside an unsharded
 * run) and then its own shard's lock exclusively. Always 'all' first, so two runs never
 * each hold what the other waits for.
 */
export function lockSteps(key: RunLockKey): LockStep[] {
  const all = runLockName({ job: key.job, shard: null });
  if (key.shard === null) return [{ name: all, shared: false, holders: 'any' }];
  return [
    { name: all, shared: true, holders: 'unsharded' },
    { name: runLockName(key), shared: false, holders: 'same-shard' },
  ];
}

/** Takes every step's lock, or none: returns the step that was refused (the ones before it let go again). */
export async function tryLocks(client: pg.Client, steps: readonly LockStep[]): Promise<LockStep | undefined> {
  for (const [index, step] of steps.entries()) {
    const { rows } = await client.query<{ locked: boolean }>(
      `select ${step.shared ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock'}(hashtext($1), hashtext($2)) as locked`,
      [NAMESPACE, step.name],
    );
    if (rows[0]?.locked !== true) {
      await unlock(client, steps.slice(0, index));
      return step;
    }
  }
  return undefined;
}

export async function unlock(client: pg.Client, steps: readonly LockStep[]): Promise<void> {
  for (const step of [...steps].reverse()) {
    await client.query(`select ${step.shared ? 'pg_advisory_unlock_shared' : 'pg_advisory_unlock'}(hashtext($1), hashtext($2))`, [NAMESPACE, step.name]);
  }
}
