import type pg from 'pg';
import { LockHeldError } from '../../errors.js';
import type { LockStep, RunLockKey } from './lock-steps.js';

/** The run holding a lock, as crawl_runs knows it. */
export interface LockHolder {
  runId: string;
  /** 'I/N', or null for an unsharded run. */
  shard: string | null;
  startedAt: Date;
  pid: number | null;
  host: string | null;
}

/**
 * The running run that can hold `step` against `key`: a row left `running` by a killed
 * process stops beating, the live holder beats every few seconds. Null when the holder has not recorded its run yet (it takes the lock first)
 * or the lookup fails.
 */
export async function findHolder(client: pg.Client, key: RunLockKey, step: LockStep): Promise<LockHolder | null> {
  const shard = step.holders === 'any' ? '' : 'and shard is not distinct from $2';
  try {
    // Live rows first (a holder beats every 5 s), then a run of our own shard, then the freshest.
    const { rows } = await client.query<{ id: string; shard: string | null; started_at: Date; pid: number | null; host: string | null }>(
      `select id, shard, started_at, pid, host from crawl_runs
       where job = $1 ${shard} and status = 'running'
       order by heartbeat_at > now() - interval '1 minute' desc, shard is not distinct from $2 desc,
                heartbeat_at desc, started_at desc
       limit 1`,
      [key.job, step.holders === 'unsharded' ? null : key.shard],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : { runId: row.id, shard: row.shard, startedAt: new Date(row.started_at), pid: row.pid, host: row.host };
  } catch {
    // The lock is held either way; who holds it only improves the message.
    return null;
  }
}

export function heldError(key: RunLockKey, holder: LockHolder | null, outcome: string | undefined): LockHeldError {
  const who = holder === null ? `another ${key.job} (its run is not recorded yet)` : `another ${key.job} (${describeHolder(key, holder)})`;
  const shard = `shard ${key.shard ?? 'all'}`;
  const message =
    outcome === undefined
      ? `${who} holds the lock for ${shard}; use --wait-lock to wait for it`
      : `${who} ${outcome} (lock for ${shard})`;
  return new LockHeldError(message, holder === null ? {} : { runId: holder.runId, startedAt: holder.startedAt, ...(holder.pid === null ? {} : { pid: holder.pid }) });
}

/** 'run 9e9c…, shard 1/4, started 2026-11-25T10:00:00.000Z on node-a pid 42'; the shard only when it is not ours. */
function describeHolder(key: RunLockKey, holder: LockHolder): string {
  const parts = [`run ${holder.runId}`];
  if (holder.shard !== key.shard) parts.push(holder.shard === null ? 'unsharded' : `shard ${holder.shard}`);
  parts.push(
    `started ${holder.startedAt.toISOString()}${holder.host === null ? '' : ` on ${holder.host}`}${holder.pid === null ? '' : ` pid ${holder.pid}`}`,
  );
  return parts.join(', ');
}
