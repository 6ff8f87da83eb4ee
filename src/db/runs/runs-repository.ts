import type { Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { finishRun, latestRun, recordProgress, startRun, type RunsTarget } from './run-statements.js';
import type { CrawlRun, RunCounts, RunStart, RunStatus } from './run-types.js';
import { createTaskLogProbe } from './task-log.js';

export { TASK_LOG_STATUS } from './task-log.js';

export type { CrawlRun, RunCounts, RunStart, RunStatus } from './run-types.js';

/** Records batch runs in crawl_runs and, where the backend has it, in task_execution_logs. */
export interface RunsRepository {
  /** Inserts the `running` row (and its task_execution_logs row); returns that row's id or null. */
  start(run: RunStart): Promise<{ taskLogId: number | null }>;
  /** Records the counts so far and moves the heartbeat; called every few seconds. No-op once finished. */
  progress(id: string, counts: RunCounts): Promise<void>;
  /**
   * Records the end. `details.counts` are the final counts (default: the last progress);
   * `details.errorMessage` goes to task_execution_logs.error_message (default: the
   * summary's `message` unless the run succeeded).
   * @throws CrawlerError E_INTERNAL for an unknown run id.
   */
  finish(
    id: string,
    status: Exclude<RunStatus, 'running'>,
    summary: unknown,
    details?: { counts?: RunCounts; errorMessage?: string },
  ): Promise<void>;
  /** The most recently started run (of `job`, when given), or null. */
  latest(job?: string): Promise<CrawlRun | null>;
  /** Whether runs also appear in the backend's task_execution_logs (detected once). */
  mirrorsToTaskLog(): Promise<boolean>;
}

/**
 * Binds the runs repository to `db`. Whether the backend's task_execution_logs exists
 * is asked once, at first use; the crawler never creates that table.
 */
export function createRunsRepository(db: Kysely<any>): RunsRepository {
  const target: RunsTarget = { db, mirrorsToTaskLog: createTaskLogProbe(db) };
  return {
    mirrorsToTaskLog: () => guarded(target.mirrorsToTaskLog()),
    start: (run) => guarded(startRun(target, run)),
    progress: (id, counts) => guarded(recordProgress(target, id, counts)),
    finish: (id, status, summary, details = {}) => guarded(finishRun(target, id, { status, summary, ...details })),
    latest: (job) => guarded(latestRun(db, job)),
  };
}

/** Driver failures that mean "the database is gone" become DatabaseUnavailableError. */
function guarded<T>(work: Promise<T>): Promise<T> {
  return work.catch(rethrowUnavailable);
}
