/** Hands out each symbol's starting mirror. */
export interface Rotation {
  /** The start index for the next symbol. */
  next(): number;
}

/**
 * A process-wide rotation of starting mirrors: it begins at a random mirror (so separate
 * processes, one per `fetch`, do not all start at mirror #1, as the Go and Python crawlers
 * did) and then moves on by one mirror per symbol, so first attempts spread evenly.
 */
export function createRotation(mirrorCount: number, random: () => number): Rotation {
  if (!Number.isInteger(mirrorCount) || mirrorCount < 1) {
    throw new RangeError(`mirrorCount must be a positive integer, got ${mirrorCount}`);
  }
  let current = Math.min(mirrorCount - 1, Math.max(0, Math.floor(random() * mirrorCount)));
  return {
    next() {
      const index = current;
      current = (current + 1) % mirrorCount;
      return index;
    },
  };
}
