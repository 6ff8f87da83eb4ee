import type { Logger } from '../logger.js';
import { pushMetrics } from './pushgateway.js';
import type { MetricsCommand, RunMetrics } from './run-metrics.js';

/** What publishing needs of a run's metrics (`update`, `fetch`, or a `verify` run's). */
export interface PublishableMetrics {
  readonly command: string;
  /** `I/N`, or `all`. */
  readonly shard: string;
  countsAsSuccess(): boolean;
  keepLastSuccess(epochSeconds: number): void;
  text(): Promise<string>;
  /** The metric naming the last success, when it is not the crawl's (`verify` has its own). */
  readonly lastSuccessMetric?: string | undefined;
}
import { readLastSuccess, writeMetricsFile } from './textfile.js';

/** Where a run's metrics go: `--metrics-file`, `--pushgateway`, both or neither. */
export interface MetricsTargets {
  metricsFile?: string | undefined;
  pushgateway?: string | undefined;
}

// A Pushgateway is one quick request away; a slow one must not hold the run's exit up.
const PUSH_TIMEOUT_MS = 5_000;

/**
 * The run's metrics when some target is configured, else undefined. prom-client is loaded
 * only then: `fetch`, run once per symbol by the backend, does not pay for it otherwise.
 */
export async function startRunMetrics(
  targets: MetricsTargets,
  options: { command: MetricsCommand; shard?: string | undefined },
): Promise<RunMetrics | undefined> {
  if (targets.metricsFile === undefined && targets.pushgateway === undefined) return undefined;
  const { createRunMetrics } = await import('./run-metrics.js');
  return createRunMetrics(options);
}

/**
 * Writes the metrics file and pushes to the Pushgateway, as configured, once the run is
 * recorded. Never throws: a failure is a warning in the log, never a failed run.
 *
 * The last-success time must survive a run that is not a success, or an alert on its age
 * would be blind exactly when it matters — and the first failed run would erase it:
 * - Pushgateway: a successful run PUTs, so the group becomes exactly this run (the new
 *   success time included; stale series, e.g. of a mirror no longer configured, go). Any
 *   other run POSTs without that family: POST replaces only the families it carries, so
 *   the time pushed by the last success stays. (A family this run left empty, e.g. request
 *   durations of a run that sent no request, keeps its previous values until a success.)
 * - Textfile: the file is replaced as a whole, so such a run reads the time from the file
 *   it replaces and writes it again. No file, or none in it: absent, as before.
 */
export async function publishRunMetrics(
  metrics: PublishableMetrics,
  targets: MetricsTargets,
  logger: Logger,
  options: { pushTimeoutMs?: number } = {},
): Promise<void> {
  try {
    const { pushgateway, metricsFile } = targets;
    // Rendered before the file's carried-over time is set: a POST must not carry it.
    const pushBody = pushgateway === undefined ? '' : await metrics.text();
    await Promise.all([
      pushgateway === undefined ? undefined : push(metrics, pushgateway, pushBody, options.pushTimeoutMs ?? PUSH_TIMEOUT_MS, logger),
      metricsFile === undefined ? undefined : write(metrics, metricsFile, logger),
    ]);
  } catch (error) {
    // A bug in rendering rather than a target failing; still no reason to fail the run.
    logger.warn({ err: error }, 'could not publish metrics');
  }
}

async function push(metrics: PublishableMetrics, url: string, body: string, timeoutMs: number, logger: Logger): Promise<void> {
  const method = metrics.countsAsSuccess() ? 'PUT' : 'POST';
  const grouping = { command: metrics.command, shard: metrics.shard };
  if (await pushMetrics({ url, grouping, body, method, timeoutMs, logger })) logger.info({ ...grouping, method }, 'metrics pushed');
}

async function write(metrics: PublishableMetrics, path: string, logger: Logger): Promise<void> {
  try {
    if (!metrics.countsAsSuccess()) {
      const previous = await readLastSuccess(path, metrics.lastSuccessMetric).catch((error: unknown) => {
        logger.warn({ path, err: error }, 'could not read the last success time from the previous metrics file');
        return undefined;
      });
      if (previous !== undefined) metrics.keepLastSuccess(previous);
    }
    await writeMetricsFile(path, await metrics.text());
    logger.info({ path }, 'metrics written');
  } catch (error) {
    logger.warn({ path, err: error }, 'could not write the metrics file');
  }
}
