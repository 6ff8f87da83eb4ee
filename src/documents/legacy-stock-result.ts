import * as z from 'zod/mini';
import { formatLegacyLatestDate, legacyLatestDateSchema } from './legacy-latest-date.js';
import { formatLegacyTimestamp, legacyTimestampSchema } from './legacy-timestamp.js';
import { LEGACY_SKIP_REASON } from './legacy-fetch.js';

/*
 * One entry of the old batch result's `detailed_results`: what
 * ConcurrentStockUpdater._update_single_stock returned for one code, in one of three
 * forms. Keys in the old order.
 */

const count = z.number().check(z.int(), z.nonnegative());

export const legacyStockSuccessSchema = z.strictObject({
  stock_code: z.string(),
  status: z.literal('success'),
  records_processed: count,
  records_created: count,
  records_updated: count,
  timestamp: legacyTimestampSchema,
});

export const legacyStockSkippedSchema = z.strictObject({
  stock_code: z.string(),
  status: z.literal('skipped'),
  reason: z.string(),
  latest_date: legacyLatestDateSchema,
  records_processed: count,
  records_created: count,
  records_updated: count,
  timestamp: legacyTimestampSchema,
});

export const legacyStockFailedSchema = z.strictObject({
  stock_code: z.string(),
  status: z.literal('failed'),
  error: z.string(),
  records_processed: count,
  records_created: count,
  records_updated: count,
});

/** Any entry of `detailed_results`. */
export const legacyStockResultSchema = z.discriminatedUnion('status', [legacyStockSuccessSchema, legacyStockSkippedSchema, legacyStockFailedSchema]);

export type LegacyStockResult = z.infer<typeof legacyStockResultSchema>;

/**
 * How one symbol ended, in the old service's three outcomes. `epochMs` is when it
 * finished (ms since the epoch). The old service had no other outcome: a symbol a mirror
 * had no bars for raised "Failed to fetch data from all brokers" and failed.
 */
export type LegacyStockInput =
  | {
      stock_code: string;
      status: 'success';
      /** Bars in the mirror's answer, before validation. */
      recordsProcessed: number;
      created: number;
      updated: number;
      unchanged: number;
      epochMs: number;
    }
  | {
      stock_code: string;
      status: 'skipped';
      /** Newest stored trading day, 'YYYY-MM-DD'. */
      latestDate: string;
      epochMs: number;
    }
  | {
      stock_code: string;
      status: 'failed';
      /** One line saying why, e.g. 'E_ALL_MIRRORS_FAILED: …'. */
      error: string;
    };

/**
 * The old `detailed_results` entry of one symbol; timestamps are local time in
 * `timeZone` (an IANA name). `records_updated` counts every row that existed already,
 * as the old writer did (updated + unchanged).
 */
export function buildLegacyStockResult(input: LegacyStockInput, timeZone: string): LegacyStockResult {
  switch (input.status) {
    case 'success':
      return {
        stock_code: input.stock_code,
        status: 'success',
        records_processed: input.recordsProcessed,
        records_created: input.created,
        records_updated: input.updated + input.unchanged,
        timestamp: formatLegacyTimestamp(input.epochMs, timeZone),
      };
    case 'skipped':
      return {
        stock_code: input.stock_code,
        status: 'skipped',
        reason: LEGACY_SKIP_REASON,
        latest_date: formatLegacyLatestDate(input.latestDate),
        records_processed: 0,
        records_created: 0,
        records_updated: 0,
        timestamp: formatLegacyTimestamp(input.epochMs, timeZone),
      };
    case 'failed':
      return {
        stock_code: input.stock_code,
        status: 'failed',
        error: input.error,
        records_processed: 0,
        records_created: 0,
        records_updated: 0,
      };
  }
}
