import { sql, type Kysely, type RawBuilder } from 'kysely';
import { CrawlerError } from '../../errors.js';
import { clampCount, normalizeCounts, percentDone } from './run-counts.js';
import type { CrawlRun, RunCounts, RunStart, RunStatus } from './run-types.js';
import { sanitizeArguments } from './sanitize-arguments.js';
import { TASK_LOG_STATUS } from './task-log.js';

/*
 * The statements behind the runs repository. Where the backend's task_execution_logs is
 * mirrored, crawl_runs and it are written by one statement each time: both rows change, or neither.
 */

/** Where runs are written: the database, and whether task_execution_logs is mirrored (asked once). */
export interface RunsTarget {
  db: Kysely<any>;
  mirrorsToTaskLog: () => Promise<boolean>;
}

/** Inserts the `running` row, and its task_execution_logs row where mirrored; returns the latter's id or null. */
export async function startRun(target: RunsTarget, run: RunStart): Promise<{ taskLogId: number | null }> {
  const argumentsJson = JSON.stringify(sanitizeArguments(run.arguments ?? {}) ?? {});
  const shard = run.shard ?? null;
  if (!(await target.mirrorsToTaskLog())) {
    await sql`
      insert into crawl_runs (id, job, shard, pid, host, arguments)
      values (${run.id}, ${run.job}, ${shard}, ${run.pid}, ${run.host}, ${argumentsJson}::jsonb)`.execute(target.db);
    return { taskLogId: null };
  }
  const total = run.total === undefined ? 0 : clampCount(run.total);
  const parameters = JSON.stringify(sanitizeArguments({ run_id: run.id, job: run.job, shard, arguments: run.arguments ?? {} }));
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
    returning task_log_id`.execute(target.db);
  return { taskLogId: rows[0]?.task_log_id ?? null };
}

/** Records the counts so far and moves the heartbeat of a `running` run; a finished one is left as it is. */
export async function recordProgress(target: RunsTarget, id: string, counts: RunCounts): Promise<void> {
  const c = normalizeCounts(counts);
  const progress = JSON.stringify(c);
  if (!(await target.mirrorsToTaskLog())) {
    await sql`
      update crawl_runs set progress = ${progress}::jsonb, heartbeat_at = now()
      where id = ${id} and status = 'running'`.execute(target.db);
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
        progress = ${percentDone(c)}::int
    from run where t.id = run.task_log_id`.execute(target.db);
}

/** How a run ended, as {@link RunsRepository.finish} takes it. */
export interface RunEnding {
  status: Exclude<RunStatus, 'running'>;
  summary: unknown;
  counts?: RunCounts | undefined;
  errorMessage?: string | undefined;
}

/**
 * Records the end of run `id` (see RunsRepository.finish for the defaults).
 * @throws CrawlerError E_INTERNAL for an unknown run id.
 */
export async function finishRun(target: RunsTarget, id: string, ending: RunEnding): Promise<void> {
  const { status } = ending;
  const safeSummary = ending.summary === undefined ? null : sanitizeArguments(ending.summary);
  const summaryJson = safeSummary === null ? null : JSON.stringify(safeSummary);
  const counts = ending.counts === undefined ? null : normalizeCounts(ending.counts);
  const runRow = sql<{ task_log_id: number | null }>`
    update crawl_runs
    set status = ${status}, finished_at = now(), heartbeat_at = now(),
        summary = ${summaryJson}::jsonb, progress = coalesce(${counts === null ? null : JSON.stringify(counts)}::jsonb, progress)
    where id = ${id}
    returning task_log_id`;
  let found: number;
  if (!(await target.mirrorsToTaskLog())) {
    found = (await runRow.execute(target.db)).rows.length;
  } else {
    const message = ending.errorMessage ?? (status === 'succeeded' ? null : summaryMessage(safeSummary));
    const progress = counts !== null ? percentDone(counts) : status === 'succeeded' ? 100 : null;
    found = await finishWithTaskLog(target.db, runRow, { status, summaryJson, message, progress, counts });
  }
  if (found === 0) throw new CrawlerError('E_INTERNAL', `no crawl run ${JSON.stringify(id)} to finish`);
}

/** What the end of a run writes to its task_execution_logs row. */
interface TaskLogEnding {
  status: Exclude<RunStatus, 'running'>;
  summaryJson: string | null;
  message: string | null;
  /** Percent done; null keeps the row's. */
  progress: number | null;
  /** Final counts; null keeps the row's. */
  counts: RunCounts | null;
}

/** Runs `runRow` and closes its task_execution_logs row in one statement; returns how many runs it found. */
async function finishWithTaskLog(db: Kysely<any>, runRow: RawBuilder<unknown>, ending: TaskLogEnding): Promise<number> {
  const { counts: c } = ending;
  const { rows } = await sql<{ found: number }>`
    with run as (${runRow}),
    log as (
      update task_execution_logs as t
      set status = ${TASK_LOG_STATUS[ending.status]}, end_time = now(),
          duration_seconds = extract(epoch from (now() - t.start_time)),
          result_summary = ${ending.summaryJson}, error_message = ${ending.message},
          processed_count = coalesce(${c?.processed ?? null}::int, t.processed_count),
          total_count = coalesce(${c?.total ?? null}::int, t.total_count),
          success_count = coalesce(${c?.succeeded ?? null}::int, t.success_count),
          error_count = coalesce(${c?.failed ?? null}::int, t.error_count),
          progress = coalesce(${ending.progress}::int, t.progress)
      from run where t.id = run.task_log_id
      returning t.id
    )
    select (select count(*) from run)::int as found`.execute(db);
  return rows[0]?.found ?? 0;
}

/** The most recently started run (of `job`, when given), or null. */
export async function latestRun(db: Kysely<any>, job: string | undefined): Promise<CrawlRun | null> {
  const { rows } = await sql<RunRow>`
    select id, job, shard, status, started_at, heartbeat_at, finished_at, pid, host,
           arguments, progress, summary, task_log_id
    from crawl_runs
    ${job === undefined ? sql`` : sql`where job = ${job}`}
    order by started_at desc, id desc
    limit 1`.execute(db);
  const row = rows[0];
  return row === undefined ? null : crawlRunOf(row);
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

function crawlRunOf(row: RunRow): CrawlRun {
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
}

function summaryMessage(summary: unknown): string | null {
  const message = (summary as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : null;
}
