/**
 * Run by terminal-pty.test.ts on a pseudo-terminal (`node --import tsx` this file): a run
 * of 40 symbols with a bar, an info line every 5 symbols, three failed attempts per symbol
 * (120 in all, folded in windows of 400 ms), one error; then the bar stops and the recap
 * is printed. Everything goes to stderr through the terminal; stdout stays empty.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBatchSummary, emptyCounts } from '../../../src/batch/summary.js';
import { createTerminal } from '../../../src/cli/terminal/terminal.js';
import { unlistedLegacyKeys } from '../../support/legacy-keys.js';

const TOTAL = 40;
const BROKERS = ['fubon', 'kgi', 'sinopac'];
const FAULTS = ['reset', 'timeout', 'http_5xx'];

const terminal = createTerminal({ stream: process.stderr, tty: process.stderr.isTTY === true, quiet: false, level: 'info', foldIntervalMs: 400, progressIntervalMs: 10_000 });
const progress = terminal.progress(TOTAL);
try {
  for (let done = 1; done <= TOTAL; done++) {
    await sleep(25);
    for (let k = 0; k < 3; k++) {
      const broker = BROKERS[(done + k) % 3]!;
      const fault = FAULTS[k]!;
      terminal.logger.warn({ symbol: String(1100 + done), broker, status: 'E_MIRROR_NETWORK', code: 'E_MIRROR_NETWORK', fault, ms: 12, detail: 'socket hang up' }, 'attempt failed');
    }
    if (done === 17) terminal.logger.error({ symbol: '1117', code: 'E_ALL_MIRRORS_FAILED' }, 'symbol failed');
    if (done % 5 === 0) terminal.logger.info({ done }, `checkpoint ${done}`);
    progress.update({ done, failed: Math.floor(done / 10), skipped: Math.floor(done / 8) });
  }
} finally {
  progress.stop();
}
terminal.recap(
  buildBatchSummary({
    runId: 'pty-run',
    startedAtMs: 0,
    finishedAtMs: 1_500,
    total: TOTAL,
    legacy: unlistedLegacyKeys(TOTAL),
    counts: { ...emptyCounts(), succeeded: 31, failed: 4, skipped: 5, rows: { created: 310, updated: 2, unchanged: 0, rejected: 0 } },
    brokers: {
      fubon: { requests: 60, ok: 20, errors: 40, circuitOpens: 1, p50Ms: 12, p95Ms: 30, faults: { reset: 14, timeout: 13, http_5xx: 13 } },
      kgi: { requests: 50, ok: 10, errors: 40, circuitOpens: 1, p50Ms: 12, p95Ms: 30, faults: { reset: 13, timeout: 14, http_5xx: 13 } },
    },
    failures: [],
    interrupted: false,
    dryRun: false,
  }),
);
terminal.close();
