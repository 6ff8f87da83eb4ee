/** The bench's farm: mirrors, and the most bars one answer carries (the real mirrors stop near 1,440). */
export const MIRRORS = 8;
export const MAX_BARS = 1440;

/** The scenarios run against the server database, one crawler run each. */
export type ServerScenarioName = 'backfill' | 'nightly' | 'polite';

/** Everything `--scenario` takes; `all` is every one of them. */
export type ScenarioName = ServerScenarioName | 'embedded' | 'scale';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['backfill', 'nightly', 'polite', 'embedded', 'scale'];

/** The mirrors' latency and the crawler's request limits for one kind of run. */
export interface Scenario {
  name: ServerScenarioName;
  /** Each answer's delay at the farm, in ms. */
  latencyMs: number;
  concurrency: number;
  perMirror: number;
  spacingMs: number;
  /** Whether the database holds every bar up to the previous session before the run. */
  preloaded: boolean;
}

/**
 * backfill: empty tables, mirrors at 20 ms, raised limits (8 × 8, no spacing);
 * nightly: stored up to the previous session, one new bar each, mirrors at 100 ms,
 * raised limits; polite: the same at the crawler's default limits (16, 2 per mirror, 200 ms).
 */
export const SCENARIOS: Record<ServerScenarioName, Scenario> = {
  backfill: { name: 'backfill', latencyMs: 20, concurrency: 64, perMirror: 8, spacingMs: 0, preloaded: false },
  nightly: { name: 'nightly', latencyMs: 100, concurrency: 64, perMirror: 8, spacingMs: 0, preloaded: true },
  polite: { name: 'polite', latencyMs: 100, concurrency: 16, perMirror: 2, spacingMs: 200, preloaded: true },
};

/** The scenarios of one invocation: the mirrors' latency set to `latencyMs` when given (`--latency-ms`). */
export function scenariosAt(latencyMs: number | undefined): Record<ServerScenarioName, Scenario> {
  if (latencyMs === undefined) return SCENARIOS;
  return {
    backfill: { ...SCENARIOS.backfill, latencyMs },
    nightly: { ...SCENARIOS.nightly, latencyMs },
    polite: { ...SCENARIOS.polite, latencyMs },
  };
}

/** Requests per second the limits allow at the scenario's latency: the least of the in-flight and spacing limits. */
export function idealRate(scenario: Scenario): number {
  const inFlight = Math.min(scenario.concurrency, MIRRORS * scenario.perMirror);
  const byLatency = inFlight / (scenario.latencyMs / 1000 || Number.POSITIVE_INFINITY);
  const bySpacing = scenario.spacingMs > 0 ? (MIRRORS * 1000) / scenario.spacingMs : Number.POSITIVE_INFINITY;
  return Math.min(byLatency, bySpacing);
}

/** The crawler flags that set the scenario's limits. */
export function limitFlags(scenario: Scenario): string[] {
  return ['--concurrency', String(scenario.concurrency), '--per-mirror', String(scenario.perMirror), '--spacing-ms', String(scenario.spacingMs)];
}
