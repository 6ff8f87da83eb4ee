import { advance, createCircuit, recordOutcome } from './circuit.js';
import type { Circuit, CircuitOptions, CircuitState, CircuitVerdict } from './circuit.js';
import { createLatencyRecord } from './latency-record.js';
import type { LatencyRecord } from './latency-record.js';
import type { Mirror } from './mirror-list.js';

/** How a leased request ended; `aborted` (the caller gave up, or a bug) counts for nothing. */
export interface LeaseResult {
  verdict: CircuitVerdict | 'aborted';
  /** Request time (sent to body read, or to the error), for the latency percentiles. */
  ms?: number | undefined;
  /** The Retry-After the mirror sent, if any. */
  retryAfterMs?: number | undefined;
}

/** Per-mirror counts for the summary. `errors` is every completed request that was not ok. */
export interface MirrorStats {
  requests: number;
  ok: number;
  errors: number;
  circuitOpens: number;
  /** Latency percentiles of completed requests in ms; null when there were none. */
  p50Ms: number | null;
  p95Ms: number | null;
  state: CircuitState;
}

/** One mirror's standing in the scheduler: its breaker, load, pacing and counts. */
export interface MirrorSlot {
  readonly mirror: Mirror;
  circuit: Circuit;
  inFlight: number;
  /** No request starts before this: the spacing gap, or a short Retry-After. */
  nextStartAt: number;
  lastStartAt: number;
  requests: number;
  ok: number;
  errors: number;
  readonly latency: LatencyRecord;
}

/** A slot with a closed circuit and nothing recorded. */
export function createMirrorSlot(mirror: Mirror, circuitOptions: CircuitOptions): MirrorSlot {
  return {
    mirror,
    circuit: createCircuit(circuitOptions),
    inFlight: 0,
    nextStartAt: -Infinity,
    lastStartAt: -Infinity,
    requests: 0,
    ok: 0,
    errors: 0,
    latency: createLatencyRecord(),
  };
}

/**
 * Books a finished request on its slot: counts, latency, the breaker, and a Retry-After.
 * One up to `retryAfterMaxMs` is about the mirror rather than one symbol, so it holds
 * every request to that mirror back; a longer one opens the circuit for at least as long.
 */
export function recordResult(
  slot: MirrorSlot,
  result: LeaseResult,
  trial: boolean,
  now: number,
  retryAfterMaxMs: number,
  circuitOptions: CircuitOptions,
): void {
  if (result.verdict === 'aborted') {
    // An abandoned trial proves nothing; free the circuit for another one.
    if (trial) slot.circuit = recordOutcome(slot.circuit, now, { verdict: 'neutral', trial }, circuitOptions);
    return;
  }
  if (result.ms !== undefined) slot.latency.add(result.ms);
  if (result.verdict === 'success') slot.ok += 1;
  else slot.errors += 1;
  const { retryAfterMs } = result;
  const holdMs = retryAfterMs !== undefined && retryAfterMs > retryAfterMaxMs ? retryAfterMs : undefined;
  if (retryAfterMs !== undefined && holdMs === undefined) slot.nextStartAt = Math.max(slot.nextStartAt, now + retryAfterMs);
  slot.circuit = recordOutcome(slot.circuit, now, { verdict: result.verdict, trial, holdMs }, circuitOptions);
}

/** The slot's summary counts as of `now`. */
export function slotStats(slot: MirrorSlot, now: number): MirrorStats {
  return {
    requests: slot.requests,
    ok: slot.ok,
    errors: slot.errors,
    circuitOpens: slot.circuit.opens,
    p50Ms: slot.latency.quantile(0.5),
    p95Ms: slot.latency.quantile(0.95),
    state: advance(slot.circuit, now).state,
  };
}
