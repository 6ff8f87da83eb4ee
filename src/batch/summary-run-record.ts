import type { RunRecord } from '../metrics/run-record.js';
import type { BatchSummary } from '../documents/batch-summary.js';

/** What the metrics record of a run (`update`, or `fetch` over its one symbol), read off its summary. */
export function runRecordFromSummary(summary: BatchSummary): RunRecord {
  const { result } = summary;
  const circuitOpens: Record<string, number> = {};
  for (const [mirror, stats] of Object.entries(result.brokers)) circuitOpens[mirror] = stats.circuit_opens;
  return {
    finishedAtMs: Date.parse(summary.updated_at),
    durationMs: result.duration_ms,
    succeeded: summary.success,
    dryRun: summary.dry_run,
    symbols: {
      stored: result.succeeded - result.revised,
      revised: result.revised,
      no_data: result.no_data,
      skipped: result.skipped,
      failed: result.failed,
      aborted: result.aborted,
    },
    rows: { ...result.rows },
    circuitOpens,
  };
}
