import type { BatchSummary } from '../../documents/batch-summary.js';
import { formatEta } from './progress.js';

type BrokerSummary = BatchSummary['result']['brokers'][string];

/**
 * The end of an `update` for people, from its summary document: symbols stored, skipped
 * and failed, rows created and updated, the time taken, and the mirror with the most
 * errors (with its faults) when any had errors. Lines without "\n"; pure.
 *
 *     update: 1,230 stored (3 revised), 12 skipped, 4 failed of 1,246 symbols in 5m12s
 *     rows: 1,440 created, 12 updated
 *     worst mirror: fubon, 23 errors in 410 requests (reset 12, timeout 11)
 */
export function formatRecap(summary: BatchSummary): string[] {
  const { result } = summary;
  const state = [summary.dry_run ? 'dry run, nothing written' : undefined, summary.interrupted ? 'interrupted' : undefined].filter(Boolean);
  const symbols = [
    `${count(result.succeeded)} stored${result.revised > 0 ? ` (${count(result.revised)} revised)` : ''}`,
    `${count(result.skipped)} skipped`,
    `${count(result.failed)} failed`,
  ];
  if (result.no_data > 0) symbols.push(`${count(result.no_data)} without data`);
  if (result.aborted > 0) symbols.push(`${count(result.aborted)} not attempted`);
  const lines = [
    `update${state.length > 0 ? ` (${state.join(', ')})` : ''}: ${symbols.join(', ')} of ${count(result.total)} symbols in ${formatDuration(result.duration_ms)}`,
    `rows: ${count(result.rows.created)} created, ${count(result.rows.updated)} updated`,
  ];
  const worst = worstMirror(result.brokers);
  if (worst !== undefined) {
    const [name, stats] = worst;
    const faults = Object.entries(stats.faults)
      .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const byFault = faults.length === 0 ? '' : ` (${faults.map(([fault, n]) => `${fault} ${count(n)}`).join(', ')})`;
    lines.push(`worst mirror: ${name}, ${count(stats.errors)} ${stats.errors === 1 ? 'error' : 'errors'} in ${count(stats.requests)} requests${byFault}`);
  }
  return lines;
}

/** The mirror with the most errors (the fewest requests, then the name, on a tie); none when no mirror had one. */
function worstMirror(brokers: BatchSummary['result']['brokers']): [string, BrokerSummary] | undefined {
  let worst: [string, BrokerSummary] | undefined;
  for (const entry of Object.entries(brokers)) {
    const [name, stats] = entry;
    if (stats.errors === 0) continue;
    if (
      worst === undefined ||
      stats.errors > worst[1].errors ||
      (stats.errors === worst[1].errors && (stats.requests < worst[1].requests || (stats.requests === worst[1].requests && name < worst[0])))
    ) {
      worst = entry;
    }
  }
  return worst;
}

/** `0.8 s`, `42.0 s`, `5m12s`, `1h02m`. */
function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatEta(Math.round(ms / 1000));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
