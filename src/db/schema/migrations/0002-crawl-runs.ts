import { sql, type Kysely } from 'kysely';

/**
 * `crawl_runs`: one row per batch run, so that the backend (and `health`) can ask how
 * last night went. The crawler's own table, created in adopted databases too.
 *
 * - `id` is text: the caller's run id (a UUID in practice), printed as `run_id`.
 * - `heartbeat_at` moves with every progress report: a `running` row whose heartbeat is
 *   old belongs to a process that died without finishing (killed, machine lost).
 * - `progress` holds the latest counts; `summary` the final JSON document.
 * - `task_log_id` is the row mirroring this run in the backend's task_execution_logs,
 *   where that table exists.
 * - `status`: running, then succeeded (every symbol stored or skipped), partial (some
 *   failed), failed (the run could not go on: database, mirrors, lock), interrupted
 *   (SIGINT/SIGTERM).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table crawl_runs (
      id           text        primary key,
      job          text        not null,
      shard        text,
      status       text        not null default 'running'
                   constraint crawl_runs_status_check
                   check (status in ('running', 'succeeded', 'failed', 'interrupted', 'partial')),
      started_at   timestamptz not null default now(),
      heartbeat_at timestamptz not null default now(),
      finished_at  timestamptz,
      pid          integer,
      host         text,
      arguments    jsonb       not null default '{}'::jsonb,
      progress     jsonb,
      summary      jsonb,
      task_log_id  bigint
    )`.execute(db);
  // "The last run" (health) and "the runs of last week" read newest first.
  await sql`create index crawl_runs_started_at_idx on crawl_runs (started_at desc)`.execute(db);
}
