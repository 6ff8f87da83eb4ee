import type { BatchSymbolResult } from './run-batch.js';
import type { SymbolOutcome } from './summary.js';

/** Maps one symbol's result onto the summary's outcome kinds: the one place a symbol's outcome is named. */
export function toOutcome(result: BatchSymbolResult): SymbolOutcome {
  if (result.status === 'skipped') return { status: 'skipped' };
  if (result.status === 'failed') {
    const { symbol, code, message, attempts, faults } = result;
    return { status: 'failed', stock_code: symbol, code, message, attempts, faults };
  }
  const rows = { ...(result.counts ?? {}), rejected: result.validation.rejected };
  const { faults } = result;
  if (result.validation.input === 0) return { status: 'no_data', rows, faults };
  return { status: result.revised ? 'revised' : 'stored', rows, faults, confirmed: result.confirmed };
}
