import type { FarmStats } from './bench-farm.js';
import { idealRate, type Scenario } from './bench-scenarios.js';
import { quantile, round } from './median-run.js';
import type { CliRun } from './time-cli.js';

/**
 * The request window, a diagnostic beside the whole-run figures: before the first request
 * reached a mirror (start-up: Node, modules, database reads), the window itself (first
 * arrival to last answer, as the farm saw them) and after the last answer (parse, write,
 * summary, exit), with the request rate within the window.
 */
export interface RequestWindow {
  to_first_request_s: number;
  window_s: number;
  after_last_answer_s: number;
  requests_per_s: number;
  of_ideal: number;
  farm_hold_p50_ms: number;
  farm_hold_p95_ms: number;
  turnaround_p50_ms: number;
  turnaround_p95_ms: number;
}

/** One crawler run's figures; the headline ones are whole-process, start to exit. */
export interface CrawlFigures {
  symbols: number;
  latency_ms: number;
  limits: { concurrency: number; per_mirror: number; spacing_ms: number };
  wall_s: number;
  cpu_s: number;
  cpu_ms_per_symbol: number;
  wall_ms_per_symbol: number;
  peak_rss_mb: number;
  symbols_per_s: number;
  requests: number;
  /** Requests over the whole run, spawn to exit. */
  requests_per_s: number;
  ideal_requests_per_s: number;
  of_ideal: number;
  request_window: RequestWindow | null;
  bytes_received: number;
  connections_per_mirror: number[];
  errors_injected: number;
  rows_written: number;
  failed: number;
  skipped: number;
}

/** The figures of a run from its process measurements, its summary and what the farm counted. */
export function crawlFigures(scenario: Scenario, symbols: number, run: CliRun, stats: FarmStats): CrawlFigures {
  const requests = stats.mirrors.reduce((sum, mirror) => sum + mirror.requests, 0);
  const wallS = run.wallMs / 1000;
  const ideal = idealRate(scenario);
  const result = run.summary?.result ?? {};
  return {
    symbols,
    latency_ms: scenario.latencyMs,
    limits: { concurrency: scenario.concurrency, per_mirror: scenario.perMirror, spacing_ms: scenario.spacingMs },
    wall_s: round(wallS, 2),
    cpu_s: round(run.cpuMs / 1000, 2),
    cpu_ms_per_symbol: round(run.cpuMs / symbols, 3),
    wall_ms_per_symbol: round(run.wallMs / symbols, 3),
    peak_rss_mb: mb(run.maxRssKb * 1024),
    symbols_per_s: round(symbols / wallS, 1),
    requests,
    requests_per_s: round(requests / wallS, 1),
    ideal_requests_per_s: round(ideal, 1),
    of_ideal: round(requests / wallS / ideal, 3),
    request_window: requestWindow(run, stats, requests, ideal),
    bytes_received: stats.mirrors.reduce((sum, mirror) => sum + mirror.bytes, 0),
    connections_per_mirror: stats.mirrors.map((mirror) => mirror.connections),
    errors_injected: stats.mirrors.reduce((sum, mirror) => sum + mirror.errors, 0),
    rows_written: (result.rows?.created ?? 0) + (result.rows?.updated ?? 0),
    failed: result.failed ?? Number.NaN,
    skipped: result.skipped ?? Number.NaN,
  };
}

function requestWindow(run: CliRun, stats: FarmStats, requests: number, ideal: number): RequestWindow | null {
  if (stats.firstRequestAt === null || stats.lastAnswerAt === null) return null;
  const windowS = (stats.lastAnswerAt - stats.firstRequestAt) / 1000;
  return {
    to_first_request_s: round((stats.firstRequestAt - run.spawnedAt) / 1000, 3),
    window_s: round(windowS, 3),
    after_last_answer_s: round((run.endedAt - stats.lastAnswerAt) / 1000, 3),
    requests_per_s: round(requests / windowS, 1),
    of_ideal: round(requests / windowS / ideal, 3),
    farm_hold_p50_ms: round(quantile(stats.holdMs, 0.5), 1),
    farm_hold_p95_ms: round(quantile(stats.holdMs, 0.95), 1),
    turnaround_p50_ms: round(quantile(stats.turnaroundMs, 0.5), 2),
    turnaround_p95_ms: round(quantile(stats.turnaroundMs, 0.95), 2),
  };
}

/** Bytes in MB (2^20), one decimal. */
export function mb(bytes: number): number {
  return round(bytes / 1048576, 1);
}

/** Throws with the run's stderr when the crawler did not exit 0 with a summary. */
export function assertRunOk(what: string, run: CliRun): void {
  if (run.exitCode !== 0 || run.summary === null) throw new Error(`${what} exited ${run.exitCode}: ${run.stderrTail}`);
}
