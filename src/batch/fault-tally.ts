import { FAULT_KINDS, type FaultKind, type MirrorFault } from '../mirrors/fault-kind.js';

/** Faults of one mirror by kind; absent kinds are 0. */
export type FaultCounts = Partial<Record<FaultKind, number>>;

/** Running fault counts per mirror; memory grows with mirrors and kinds, never with symbols. */
export interface FaultTally {
  add(faults: readonly MirrorFault[] | undefined): void;
  /** A copy of one mirror's counts (empty when it had none). */
  of(broker: string): FaultCounts;
  /** Mirrors with at least one fault. */
  brokers(): string[];
}

export function createFaultTally(): FaultTally {
  const byBroker = new Map<string, FaultCounts>();
  return {
    add(faults) {
      for (const { broker, kind } of faults ?? []) {
        const counts = byBroker.get(broker) ?? {};
        counts[kind] = (counts[kind] ?? 0) + 1;
        byBroker.set(broker, counts);
      }
    },
    of: (broker) => ({ ...byBroker.get(broker) }),
    brokers: () => [...byBroker.keys()],
  };
}

/** The sum of two sets of counts. */
export function addFaultCounts(a: FaultCounts | undefined, b: FaultCounts | undefined): FaultCounts {
  const sum: FaultCounts = { ...a };
  for (const kind of FAULT_KINDS) {
    const more = b?.[kind];
    if (more !== undefined) sum[kind] = (sum[kind] ?? 0) + more;
  }
  return sum;
}

/** The non-zero counts, in FAULT_KINDS order, so that a document reads the same every time. */
export function nonZeroFaults(counts: FaultCounts | undefined): FaultCounts {
  const out: FaultCounts = {};
  for (const kind of FAULT_KINDS) {
    const n = counts?.[kind] ?? 0;
    if (n > 0) out[kind] = n;
  }
  return out;
}
