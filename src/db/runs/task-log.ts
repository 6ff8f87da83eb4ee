import type { Kysely } from 'kysely';
import { tableColumns } from '../schema/catalog.js';
import type { RunStatus } from './run-types.js';

/**
 * crawl_runs status → task_execution_logs status (running | completed | failed | cancelled).
 * `partial` is `completed`: the run went through its list and stored what it could; its
 * error_count and error_message say how many symbols failed. `failed` means the run
 * itself stopped (database, every mirror down) — what an operator must act on.
 */
export const TASK_LOG_STATUS: Readonly<Record<Exclude<RunStatus, 'running'>, string>> = {
  succeeded: 'completed',
  partial: 'completed',
  failed: 'failed',
  interrupted: 'cancelled',
};

/** The columns written; a task_execution_logs lacking one is left alone as if absent. */
const TASK_LOG_COLUMNS = [
  'id', 'task_name', 'task_type', 'parameters', 'status', 'start_time', 'end_time', 'duration_seconds',
  'progress', 'processed_count', 'total_count', 'success_count', 'error_count', 'result_summary',
  'error_message', 'created_by',
];

/**
 * Asks, once, whether the backend's task_execution_logs exists with every column written
 * (the crawler never creates that table). A failed look is not an answer: it is asked again.
 */
export function createTaskLogProbe(db: Kysely<any>): () => Promise<boolean> {
  let detected: Promise<boolean> | undefined;
  return () => {
    detected ??= tableColumns(db, 'task_execution_logs').then(
      (columns) => TASK_LOG_COLUMNS.every((column) => columns.has(column)),
      (error: unknown) => {
        detected = undefined;
        throw error;
      },
    );
    return detected;
  };
}
