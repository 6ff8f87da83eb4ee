import * as z from 'zod/mini';
import { legacyFetchErrorKeysSchema } from './legacy-fetch-error.js';
import { legacyFetchSkippedKeysSchema, legacyFetchSuccessKeysSchema } from './legacy-fetch.js';

/*
 * The default `fetch` document, one strict object per outcome: the crawler's keys and the
 * old service's keys with their old meanings. `--shape legacy` prints the old documents
 * themselves (legacy-fetch.ts, legacy-fetch-error.ts).
 */

const count = z.number().check(z.int(), z.nonnegative());
const price = z.number();

const rowSchema = z.strictObject({
  stock_code: z.string(),
  trade_date: z.iso.date(),
  open_price: price,
  high_price: price,
  low_price: price,
  close_price: price,
  /** Lots (張). */
  volume: count,
});

const attemptSchema = z.looseObject({ broker: z.string(), status: z.union([z.number(), z.string()]), ms: z.number().check(z.nonnegative()) });

const rejectedSchema = z.strictObject({
  rule: z.string(),
  trade_date: z.string(),
  values: z.strictObject({ open: z.nullable(price), high: z.nullable(price), low: z.nullable(price), close: z.nullable(price), volume: z.nullable(price) }),
  detail: z.optional(z.string()),
});

const validationSchema = z.strictObject({
  input: count,
  accepted: count,
  rejected: count,
  duplicates: count,
  weekend: count,
  byRule: z.record(z.string(), count),
});

const common = { stock_code: z.string(), updated_at: z.iso.datetime(), source: z.literal('node') };

const stored = {
  success: z.literal(true),
  message: z.string(),
  data: z.array(rowSchema),
  records_processed: count,
  created: count,
  updated: count,
  unchanged: count,
  rejected: z.array(rejectedSchema),
  validation: validationSchema,
  dry_run: z.boolean(),
  broker: z.string(),
  attempts: z.array(attemptSchema),
  ...common,
};

/** Fetched and stored (or validated, in a dry run). */
export const fetchStoredSchema = z.strictObject({ ...stored, ...legacyFetchSuccessKeysSchema.shape });

/** The mirrors have no bars for the symbol: no failure here (exit 0), a failure in the old service's words. */
export const fetchNoDataSchema = z.strictObject({ ...stored, ...legacyFetchErrorKeysSchema.shape });

/** Skipped without a request (`--skip-fresh`): its stored bars hold the last closed session. */
export const fetchSkippedSchema = z.strictObject({
  success: z.literal(true),
  message: z.string(),
  data: z.array(rowSchema).check(z.length(0)),
  created: z.literal(0),
  updated: z.literal(0),
  unchanged: z.literal(0),
  rejected: z.array(rejectedSchema).check(z.length(0)),
  dry_run: z.boolean(),
  attempts: z.array(attemptSchema).check(z.length(0)),
  ...common,
  ...legacyFetchSkippedKeysSchema.shape,
});

/** No mirror delivered (exit 1), or the run was stopped before the symbol was done. */
export const fetchFailedSchema = z.strictObject({
  success: z.literal(false),
  message: z.string(),
  error: z.optional(z.strictObject({ code: z.string() })),
  interrupted: z.optional(z.boolean()),
  data: z.array(rowSchema).check(z.length(0)),
  attempts: z.array(attemptSchema),
  ...common,
  ...legacyFetchErrorKeysSchema.shape,
});

/** Any default `fetch` document. */
export const fetchDocumentSchema = z.union([fetchStoredSchema, fetchNoDataSchema, fetchSkippedSchema, fetchFailedSchema]);
