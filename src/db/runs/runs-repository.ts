import { sql, type Kysely } from 'kysely';
import { CrawlerError } from '../../errors.js';
import { tableColumns } from '../schema/catalog.js';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { sanitizeArguments } from './sanitize-arguments.js';

/** How a run ended, or `running`. See migration 0002 for what each means. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'partial';

/** Symbol counts of a run so far. */
export interface RunCounts {
  processed: number;
  total: number;
  succeeded: number;
  failed: number;
}

/** What a run records when it starts. */
export interface RunStart {
  /** The run id printed as `run_id` (a UUID). */
  id: string;
  /** The command, e.g. 'update'. */
  job: string;
  /** 'I/N' when sharded. */
  shard?: string | null | undefined;
  /** The resolved options, as plain JSON data; stored sanitized (see sanitizeArguments). */
  arguments: unknown;
  pid: number;
  host: string;
  /** Symbols in the run, when known: the backend's page shows progress against it. */
  total?: number | undefined;
}

/** One crawl_runs row. */
export interface CrawlRun {
  id: string;
  job: string;
  shard: string | null;
  status: RunStatus;
  startedAt: Date;
  /** Last progress report; an old one on a `running` row means its process died. */
  heartbeatAt: Date;
  finishedAt: Date | null;
  pid: number | null;
  host: string | null;
  arguments: unknown;
  progress: RunCounts | null;
  summary: unknown;
  /** The mirroring task_execution_logs row, when the backend's table exists. */
  taskLogId: number | null;
}

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
 * Binds the runs repository to `db`. Whether the backend's task_execution_logs exists
 * is asked once, at first use; the crawler never creates that table.
 */
export function createRunsRepository(db: Kysely<any>): RunsRepository {
  let detected: Promise<boolean> | undefined;
  const mirrors = (): Promise<boolean> => {
    detected ??= tableColumns(db, 'task_execution_logs').then(
      (columns) => TASK_LOG_COLUMNS.every((column) => columns.has(column)),
      (error: unknown) => {
        detected = undefined; // a failed look is not an answer; ask again next time
        throw error;
      },
    );
    return detected;
  };

  return {
    mirrorsToTaskLog: () => guarded(mirrors()),

    start: (run) =>
      guarded(
        (async () => {
          const argumentsJson = JSON.stringify(sanitizeArguments(run.arguments ?? {}) ?? {});
          const shard = run.shard ?? null;
          const total = run.total === undefined ? 0 : count(run.total);
          if (!(await mirrors())) {
            await sql`
              insert into crawl_runs (id, job, shard, pid, host, arguments)
              values (${run.id}, ${run.job}, ${shard}, ${run.pid}, ${run.host}, ${argumentsJson}::jsonb)`.execute(db);
            return { taskLogId: null };
          }
          const parameters = JSON.stringify(
            sanitizeArguments({ run_id: run.id, job: run.job, shard, arguments: run.arguments ?? {} }),
          );
          // One statement: both rows exist, or neither.
          const { rows } = await sql<{ task_log_id: number }>`
            with log as (
              insert into task_execution_logs
                (task_name, task_type, parameters, status, total_count, progress,
                 processed_count, success_count, error_count, created_by)
              values (${`stock-crawler ${run.job}`}, 'crawl', ${parameters}, 'running', ${total}::int, 0,
                      0, 0, 0, 'stock-crawler')
              returning id
            )
            insert into crawl_runs (id, job, shard, pid, host, arguments, task_log_id)
            select ${run.id}, ${run.job}, ${shard}, ${run.pid}, ${run.host}, ${argumentsJson}::jsonb, log.id from log
            returning task_log_id`.execute(db);
          return { taskLogId: rows[0]?.task_log_id ?? null };
        })(),
      ),

    progress: (id, counts) =>
      guarded(
        (async () => {
          const c = normalize(counts);
          const progress = JSON.stringify(c);
          if (!(await mirrors())) {
            await sql`
              update crawl_runs set progress = ${progress}::jsonb, heartbeat_at = now()
              where id = ${id} and status = 'running'`.execute(db);
            return;
          }
          await sql`
            with run as (
              update crawl_runs set progress = ${progress}::jsonb, heartbeat_at = now()
              where id = ${id} and status = 'running'
              returning task_log_id
            )
            update task_execution_logs as t
            set processed_count = ${c.processed}::int, total_count = ${c.total}::int,
                success_count = ${c.succeeded}::int, error_count = ${c.failed}::int,
                progress = ${percent(c)}::int
            from run where t.id = run.task_log_id`.execute(db);
        })(),
      ),

    finish: (id, status, summary, details = {}) =>
      guarded(
        (async () => {
          const safeSummary = summary === undefined ? null : sanitizeArguments(summary);
          const summaryJson = safeSummary === null ? null : JSON.stringify(safeSummary);
          const c = details.counts === undefined ? null : normalize(details.counts);
          const progressJson = c === null ? null : JSON.stringify(c);
          const runRow = sql`
            update crawl_runs
            set status = ${status}, finished_at = now(), heartbeat_at = now(),
                summary = ${summaryJson}::jsonb, progress = coalesce(${progressJson}::jsonb, progress)
            where id = ${id}
            returning task_log_id`;
          let found: number;
          if (!(await mirrors())) {
            found = (await runRow.execute(db)).rows.length;
          } else {
            const message = details.errorMessage ?? (status === 'succeeded' ? null : summaryMessage(safeSummary));
            const progress = c !== null ? percent(c) : status === 'succeeded' ? 100 : null;
            const { rows } = await sql<{ found: number }>`
              with run as (${runRow}),
              log as (
                update task_execution_logs as t
                set status = ${TASK_LOG_STATUS[status]}, end_time = now(),
                    duration_seconds = extract(epoch from (now() - t.start_time)),
                    result_summary = ${summaryJson}, error_message = ${message},
                    processed_count = coalesce(${c?.processed ?? null}::int, t.processed_count),
                    total_count = coalesce(${c?.total ?? null}::int, t.total_count),
                    success_count = coalesce(${c?.succeeded ?? null}::int, t.success_count),
                    error_count = coalesce(${c?.failed ?? null}::int, t.error_count),
                    progress = coalesce(${progress}::int, t.progress)
                from run where t.id = run.task_log_id
                returning t.id
              )
              select (select count(*) from run)::int as found`.execute(db);
            found = rows[0]?.found ?? 0;
          }
          if (found === 0) throw new CrawlerError('E_INTERNAL', `no crawl run ${JSON.stringify(id)} to finish`);
        })(),
      ),

    latest: (job) =>
      guarded(
        (async () => {
          const { rows } = await sql<RunRow>`
            select id, job, shard, status, started_at, heartbeat_at, finished_at, pid, host,
                   arguments, progress, summary, task_log_id
            from crawl_runs
            ${job === undefined ? sql`` : sql`where job = ${job}`}
            order by started_at desc, id desc
            limit 1`.execute(db);
          const row = rows[0];
          if (row === undefined) return null;
          return {
            id: row.id,
            job: row.job,
            shard: row.shard,
            status: row.status,
            startedAt: row.started_at,
            heartbeatAt: row.heartbeat_at,
            finishedAt: row.finished_at,
            pid: row.pid,
            host: row.host,
            arguments: row.arguments,
            progress: row.progress,
            summary: row.summary,
            taskLogId: row.task_log_id,
          };
        })(),
      ),
  };
}

interface RunRow {
  id: string;
  job: string;
  shard: string | null;
  status: RunStatus;
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
  pid: number | null;
  host: string | null;
  arguments: unknown;
  progress: RunCounts | null;
  summary: unknown;
  task_log_id: number | null;
}

/** Driver failures that mean "the database is gone" become DatabaseUnavailableError. */
function guarded<T>(work: Promise<T>): Promise<T> {
  return work.catch(rethrowUnavailable);
}

/** A count as an int column takes it: a non-negative integer. */
function count(value: number): number {
  return Number.isFinite(value) ? Math.min(2 ** 31 - 1, Math.max(0, Math.trunc(value))) : 0;
}

function normalize(counts: RunCounts): RunCounts {
  return {
    processed: count(counts.processed),
    total: count(counts.total),
    succeeded: count(counts.succeeded),
    failed: count(counts.failed),
  };
}

/** task_execution_logs.progress: 0..100. */
function percent(counts: RunCounts): number {
  return counts.total > 0 ? Math.min(100, Math.floor((counts.processed * 100) / counts.total)) : 0;
}

function summaryMessage(summary: unknown): string | null {
  const message = (summary as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : null;
}
