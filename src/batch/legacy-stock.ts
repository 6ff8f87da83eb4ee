import type { LegacyBatchInput } from '../documents/legacy-batch-result.js';
import type { LegacyStockInput } from '../documents/legacy-stock-result.js';
import type { BatchSymbolResult } from './run-batch.js';

/**
 * One symbol's end in the old service's three outcomes. A symbol the mirrors had no bars
 * for failed there ("Failed to fetch data from all brokers"); so it does here.
 */
export function legacyStockOf(result: BatchSymbolResult, epochMs: number): LegacyStockInput {
  switch (result.status) {
    case 'skipped':
      return { stock_code: result.symbol, status: 'skipped', latestDate: result.latest, epochMs };
    case 'failed':
      return { stock_code: result.symbol, status: 'failed', error: `${result.code}: ${result.message}` };
    case 'stored': {
      if (result.validation.input === 0) {
        return { stock_code: result.symbol, status: 'failed', error: `E_NO_DATA: the mirrors have no bars for ${result.symbol}` };
      }
      const counts = result.counts ?? { created: 0, updated: 0, unchanged: 0 };
      return { stock_code: result.symbol, status: 'success', recordsProcessed: result.validation.input, ...counts, epochMs };
    }
  }
}

/** The symbols of a run in the old service's outcomes, in the order they ended. */
export interface LegacyLedger {
  add(result: BatchSymbolResult, epochMs: number): void;
  /** The old batch result's input for this run. */
  input(run: Omit<LegacyBatchInput, 'stocks'>): LegacyBatchInput;
}

export function createLegacyLedger(): LegacyLedger {
  const stocks: LegacyStockInput[] = [];
  return {
    add: (result, epochMs) => void stocks.push(legacyStockOf(result, epochMs)),
    input: (run) => ({ ...run, stocks }),
  };
}
