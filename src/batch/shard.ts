import type { Shard } from '../config/shard-spec.js';

export type { Shard } from '../config/shard-spec.js';

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
