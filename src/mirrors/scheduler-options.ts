import type { CircuitOptions } from './circuit.js';

/** Limits, pacing and breaker settings of the mirror scheduler (config keys of the same names; defaults in config/options.ts). */
export interface SchedulerOptions {
  /** Requests in flight over all mirrors together. */
  concurrency: number;
  /** Requests in flight to one mirror. Keep the client's keep-alive sockets per mirror at least this. */
  perMirror: number;
  /** Mean time between two request starts at one mirror; each gap is this × a random 0.5–1.5. */
  spacingMs: number;
  /** Failures in a row that open a mirror's circuit. */
  circuitFailures: number;
  /** Recent requests over which the failure ratio is taken (once that many were made). */
  circuitWindow: number;
  /** Failure share over the window, (0, 1], that opens the circuit. */
  circuitRatio: number;
  /** First cool-down of an open circuit; doubles after each failed trial. */
  circuitCooldownMs: number;
  /** Longest cool-down. */
  circuitMaxCooldownMs: number;
  /** How long no mirror may be healthy before the run gives up with AllMirrorsDownError. */
  allDownPatienceMs: number;
  /**
   * A Retry-After up to this long holds every request to that mirror back until it passes;
   * a longer one opens the circuit for at least that long. Use the retry policy's value.
   */
  retryAfterMaxMs: number;
}

/** The breaker's slice of the options. */
export function circuitOptionsOf(options: SchedulerOptions): CircuitOptions {
  return {
    failures: options.circuitFailures,
    window: options.circuitWindow,
    ratio: options.circuitRatio,
    cooldownMs: options.circuitCooldownMs,
    maxCooldownMs: options.circuitMaxCooldownMs,
  };
}
