import { describe, expect, it } from 'vitest';
import { fnv1a32, inShard, shardOf } from '../../src/batch/shard.js';
import { seeded } from '../support/seeded-random.js';

/** 2,000 codes shaped like the real universe: 4-digit stocks, ETFs, leveraged and bond ETFs. */
function realisticUniverse(): string[] {
  const random = seeded(20_260_101);
  const symbols = new Set<string>(['0050', '0056', '006208', '00878', '00919', '00929', '00713', '00881', '00830', '00850']);
  while (symbols.size < 1_800) symbols.add(String(1101 + Math.floor(random() * 8_900)));
  for (let i = 0; symbols.size < 2_000; i += 1) symbols.add(`00${630 + i}${'LRUBKT'[i % 6]}`);
  return [...symbols];
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('2330')).toBe(0x2bb10ef9);
    // Non-ASCII goes through UTF-8: 'é' is C3 A9, the same as hashing those two bytes.
    expect(fnv1a32('é')).toBe(0x1e9de8c1);
  });
});

describe('inShard', () => {
  const universe = realisticUniverse();

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('puts every symbol in exactly one of %i shards, each within a fifth of the mean', (count) => {
    const sizes = new Array<number>(count).fill(0);
    const notExactlyOnce: string[] = [];
    for (const symbol of universe) {
      const owners = sizes.map((_, index) => index).filter((index) => inShard(symbol, { index, count }));
      if (owners.length !== 1) notExactlyOnce.push(symbol);
      else sizes[owners[0]!]! += 1;
    }
    expect(notExactlyOnce).toEqual([]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(universe.length);
    const mean = universe.length / count;
    for (const size of sizes) expect(Math.abs(size - mean) / mean).toBeLessThanOrEqual(0.2);
  });

  it('assigns the same shard on every run and machine (pinned: changing this moves symbols between workers)', () => {
    expect(universe).toHaveLength(2_000);
    const pinned: Record<string, [number, number, number]> = {
      '0050': [0, 0, 0],
      '00631L': [1, 3, 3],
      '1101': [0, 0, 4],
      '2317': [0, 2, 2],
      '2330': [1, 1, 1],
      '910322': [0, 2, 6],
    };
    for (const [symbol, [of2, of4, of8]] of Object.entries(pinned)) {
      expect([shardOf(symbol, 2), shardOf(symbol, 4), shardOf(symbol, 8)], symbol).toEqual([of2, of4, of8]);
    }
  });
});
