import type { RunsRepository } from '../db/runs/runs-repository.js';
import type { Logger } from '../logger.js';
import type { SummaryAccumulator } from './summary.js';

/** How often a running run records its counts: the backend's page and `health` read them. */
const HEARTBEAT_MS = 5_000;

/** Records the counts so far every few seconds; stop it with clearInterval. */
export function startHeartbeat(
  runs: RunsRepository,
  runId: string,
  total: number,
  accumulator: SummaryAccumulator,
  logger: Pick<Logger, 'warn'>,
): NodeJS.Timeout {
  let beating = false;
  const beat = async (): Promise<void> => {
    // While the database is away a beat can hang until its connect timeout: never stack them.
    if (beating) return;
    beating = true;
    const counts = accumulator.counts();
    const processed = counts.succeeded + counts.failed + counts.noData + counts.skipped;
    const done = { processed, total, succeeded: counts.succeeded + counts.skipped, failed: counts.failed };
    // A missed beat only costs freshness; the next one is the retry.
    await runs
      .progress(runId, done)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not record progress'))
      .finally(() => (beating = false));
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  return timer;
}
