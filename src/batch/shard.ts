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
const MAX_SHARDS = 10_000;

/** Parses `--shard I/N` (0-based I, 0 ≤ I < N); anything else is a UsageError. */
export function parseShard(spec: string): Shard {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(spec);
  if (match === null) {
    throw new UsageError(`--shard ${JSON.stringify(spec.slice(0, 40))}: expected I/N, e.g. 0/4 (I counts from 0)`);
  }
  return checkShard(Number(match[1]), Number(match[2]), '--shard');
}

/** The Kubernetes Indexed Job variables; both come from the pod's environment. */
export interface ShardEnv {
  JOB_COMPLETION_INDEX?: string | undefined;
  JOB_COMPLETIONS?: string | undefined;
}

/**
 * The shard of a Kubernetes Indexed Job, or undefined when neither variable is set.
 * Kubernetes sets JOB_COMPLETION_INDEX itself; JOB_COMPLETIONS must be set in the pod
 * spec to the Job's `completions`. One without the other is a UsageError: running every
 * pod over the whole universe would multiply the load on the mirrors.
 */
export function shardFromEnv(env: ShardEnv): Shard | undefined {
  const index = env.JOB_COMPLETION_INDEX?.trim() ?? '';
  const count = env.JOB_COMPLETIONS?.trim() ?? '';
  if (index === '' && count === '') return undefined;
  if (index === '' || count === '') {
    const missing = index === '' ? 'JOB_COMPLETION_INDEX' : 'JOB_COMPLETIONS';
    throw new UsageError(`JOB_COMPLETION_INDEX and JOB_COMPLETIONS go together, but ${missing} is not set`);
  }
  if (!/^\d{1,9}$/.test(index) || !/^\d{1,9}$/.test(count)) {
    throw new UsageError(
      `JOB_COMPLETION_INDEX=${JSON.stringify(index.slice(0, 20))} JOB_COMPLETIONS=${JSON.stringify(count.slice(0, 20))}: expected whole numbers`,
    );
  }
  return checkShard(Number(index), Number(count), 'JOB_COMPLETION_INDEX/JOB_COMPLETIONS');
}

function checkShard(index: number, count: number, origin: string): Shard {
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`${origin}: the shard count must be 1 to ${MAX_SHARDS}, got ${count}`);
  if (index >= count) throw new UsageError(`${origin}: shard index ${index} is out of range 0…${count - 1} (it counts from 0)`);
  return { index, count };
}

const encoder = new TextEncoder();

/**
 * FNV-1a, 32 bit, over the UTF-8 bytes: fixed by its spec, so the partition is the same
 * on every machine, Node version and run. Not Math.random, not a seeded or salted hash.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Which shard (0 … count-1) a symbol belongs to; pass the normalised (upper-case) code. */
export function shardOf(symbol: string, count: number): number {
  return fnv1a32(symbol) % count;
}

/** Whether this worker's shard owns the symbol; every symbol is owned by exactly one shard. */
export function inShard(symbol: string, shard: Shard): boolean {
  return shardOf(symbol, shard.count) === shard.index;
}
