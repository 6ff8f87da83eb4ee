import { UsageError } from '../errors.js';

/**
 * One worker's share of the universe: `index` is 0-based (0 … count-1), as Kubernetes'
 * JOB_COMPLETION_INDEX is, so `--shard 0/4` … `--shard 3/4` together cover everything.
 */
export interface Shard {
  index: number;
  count: number;
}

/** More shards than this is a typo, not a deployment (2,000 symbols in 10,000 shards). */
export const MAX_SHARDS = 10_000;

/** Parses `--shard I/N` (0-based I, 0 ≤ I < N); anything else is a UsageError. */
export function parseShard(spec: string): Shard {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(spec);
  if (match === null) {
    throw new UsageError(`--shard ${JSON.stringify(spec.slice(0, 40))}: expected I/N, e.g. 0/4 (I counts from 0)`);
  }
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`--shard: the shard count must be 1 to ${MAX_SHARDS}, got ${count}`);
  if (index >= count) throw new UsageError(`--shard: shard index ${index} is out of range 0…${count - 1} (it counts from 0)`);
  return { index, count };
}
