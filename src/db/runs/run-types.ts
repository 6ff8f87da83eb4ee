/* What the runs repository reads and writes: one crawl_runs row, its start, its counts, its status. */

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
