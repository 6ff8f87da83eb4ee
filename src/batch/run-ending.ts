import type { RunStatus } from '../db/runs/runs-repository.js';
import { EXIT_CODES, exitCodeFor, exitCodeForSignal, type CrawlerError } from '../errors.js';
import type { BatchSummary } from '../documents/batch-summary.js';

/** How a run ended, as crawl_runs records it. */
export function runStatus(summary: BatchSummary, fatal: CrawlerError | undefined, interrupted: boolean): Exclude<RunStatus, 'running'> {
  if (fatal !== undefined) return 'failed';
  if (interrupted) return 'interrupted';
  return summary.result.failed > 0 ? 'partial' : 'succeeded';
}

/** The exit code of a batch run: the fatal error's, the signal's, 1 when a symbol failed, else 0. */
export function runExitCode(summary: BatchSummary, fatal: CrawlerError | undefined, signal: AbortSignal): number {
  if (fatal !== undefined) return exitCodeFor(fatal);
  if (signal.aborted) return exitCodeForSignal(signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  return summary.result.failed > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}
