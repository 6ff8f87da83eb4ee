import * as z from 'zod/mini';
import { legacyLatestDateSchema } from './legacy-latest-date.js';
import { buildLegacyStockResult, legacyStockResultSchema, type LegacyStockInput, type LegacyStockResult } from './legacy-stock-result.js';

const count = z.number().check(z.int(), z.nonnegative());

/**
 * `task_id`: the old service's was the id of its `task_execution_logs` row (an int).
 * The CLI uses that row's id when the backend's table exists and the run has a row
 * there, and otherwise the run id (the crawl_runs id, a UUID string). Old consumers
 * only echo it or look the task up, which either form allows.
 */
export const legacyTaskIdSchema = z.union([z.number().check(z.int(), z.positive()), z.uuid()]);

/**
 * The old batch result, `ConcurrentStockUpdater.update_stocks_concurrent`'s return value
 * (`result` inside the backend client's wrapper). Keys in the old order, strict.
 */
export const legacyBatchResultSchema = z.strictObject({
  task_id: legacyTaskIdSchema,
  /** Codes asked. */
  total_stocks: count,
  successful_updates: count,
  failed_updates: count,
  skipped_updates: count,
  /** Sums over the successful codes. */
  total_records_processed: count,
  total_records_created: count,
  total_records_updated: count,
  /** Wall time, seconds (a float). */
  execution_time: z.number().check(z.nonnegative()),
  successful_stocks: z.array(z.string()),
  failed_stocks: z.array(z.strictObject({ stock_code: z.string(), error: z.string() })),
  skipped_stocks: z.array(z.strictObject({ stock_code: z.string(), reason: z.string(), latest_date: legacyLatestDateSchema })),
  /** One entry per code, in the order they ended. */
  detailed_results: z.array(legacyStockResultSchema),
});

export type LegacyBatchResult = z.infer<typeof legacyBatchResultSchema>;

/**
 * The old keys a default `update` result carries besides its own: every old key, with
 * `detailed_results` only when asked for (`--detailed`), since it is one entry per symbol.
 */
export const legacyBatchKeysSchema = z.partial(legacyBatchResultSchema, { detailed_results: true });

export type LegacyBatchKeys = z.infer<typeof legacyBatchKeysSchema>;

export interface LegacyBatchInput {
  /** See {@link legacyTaskIdSchema}: the task_execution_logs id when there is one, else the run id. */
  taskId: number | string;
  /**
   * Symbols in the run (after sharding). Symbols never attempted because the run stopped
   * are counted here but in none of the lists, unless passed in `stocks` as failed.
   */
  totalStocks: number;
  /** Wall time of the run, seconds; fractional. */
  executionTimeSeconds: number;
  /** IANA zone the entries' timestamps are written in, e.g. 'Asia/Taipei'. */
  timeZone: string;
  /** Each symbol that ended, in the order it ended. */
  stocks: Iterable<LegacyStockInput>;
}

/** The old batch result (`--shape legacy`'s `result`), `detailed_results` included. */
export function buildLegacyBatchResult(input: LegacyBatchInput): LegacyBatchResult {
  const keys = buildLegacyBatchKeys(input, { detailed: true });
  return { ...keys, detailed_results: keys.detailed_results ?? [] };
}

/** The old keys for a default `update` result; `detailed_results` only with `detailed`. */
export function buildLegacyBatchKeys(input: LegacyBatchInput, options: { detailed: boolean }): LegacyBatchKeys {
  const result: LegacyBatchResult = {
    task_id: input.taskId,
    total_stocks: input.totalStocks,
    successful_updates: 0,
    failed_updates: 0,
    skipped_updates: 0,
    total_records_processed: 0,
    total_records_created: 0,
    total_records_updated: 0,
    execution_time: input.executionTimeSeconds,
    successful_stocks: [],
    failed_stocks: [],
    skipped_stocks: [],
    detailed_results: [],
  };
  for (const stock of input.stocks) {
    const entry: LegacyStockResult = buildLegacyStockResult(stock, input.timeZone);
    if (options.detailed) result.detailed_results.push(entry);
    switch (entry.status) {
      case 'success':
        result.successful_updates += 1;
        result.successful_stocks.push(entry.stock_code);
        result.total_records_processed += entry.records_processed;
        result.total_records_created += entry.records_created;
        result.total_records_updated += entry.records_updated;
        break;
      case 'skipped':
        result.skipped_updates += 1;
        result.skipped_stocks.push({ stock_code: entry.stock_code, reason: entry.reason, latest_date: entry.latest_date });
        break;
      case 'failed':
        result.failed_updates += 1;
        result.failed_stocks.push({ stock_code: entry.stock_code, error: entry.error });
        break;
    }
  }
  if (options.detailed) return result;
  const { detailed_results: _detailed, ...keys } = result;
  return keys;
}
