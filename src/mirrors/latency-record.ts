/** Latency samples of one mirror in bounded memory; see {@link createLatencyRecord}. */
export interface LatencyRecord {
  add(ms: number): void;
  /** Samples held (at most the capacity). */
  readonly size: number;
  /** The q-quantile (0–1, nearest rank) of the samples held, rounded to 0.1 ms; null without samples. */
  quantile(q: number): number | null;
}

/**
 * Keeps the latest `capacity` samples (default 4,096) in a ring. A night's run asks each
 * mirror a few hundred times, so the percentiles are exact there; past the capacity they
 * describe the most recent requests. Quantiles sort a copy: they are read once per summary.
 */
export function createLatencyRecord(capacity = 4_096): LatencyRecord {
  const samples = new Float64Array(capacity);
  let next = 0;
  let size = 0;
  return {
    add(ms) {
      if (!Number.isFinite(ms)) return;
      samples[next] = Math.max(0, ms);
      next = (next + 1) % capacity;
      size = Math.min(capacity, size + 1);
    },
    get size() {
      return size;
    },
    quantile(q) {
      if (size === 0) return null;
      const sorted = samples.slice(0, size).sort();
      const rank = Math.min(size, Math.max(1, Math.ceil(q * size)));
      return Math.round(sorted[rank - 1]! * 10) / 10;
    },
  };
}
