import { describe, expect, it } from 'vitest';
import { createRotation } from '../../src/mirrors/rotation.js';
import { seeded } from '../support/seeded-random.js';

describe('createRotation', () => {
  it('starts where random() points and moves on by one per symbol', () => {
    const rotation = createRotation(8, () => 0.99);
    expect(Array.from({ length: 10 }, () => rotation.next())).toEqual([7, 0, 1, 2, 3, 4, 5, 6, 7, 0]);
    expect(createRotation(8, () => 0).next()).toBe(0);
    expect(createRotation(8, () => 0.5).next()).toBe(4);
    expect(createRotation(8, () => 1).next()).toBe(7);
  });

  it('gives every mirror an equal share of first attempts', () => {
    const counts = new Array<number>(8).fill(0);
    const rotation = createRotation(8, seeded(42));
    for (let i = 0; i < 8000; i++) counts[rotation.next()]! += 1;
    expect(counts).toEqual(new Array<number>(8).fill(1000));
  });

  it('starts different processes at different mirrors', () => {
    const starts = new Set(Array.from({ length: 200 }, (_, seed) => createRotation(8, seeded(seed + 1)).next()));
    expect(starts.size).toBe(8);
  });

  it('rejects an empty mirror list', () => {
    expect(() => createRotation(0, () => 0)).toThrow(RangeError);
  });
});
