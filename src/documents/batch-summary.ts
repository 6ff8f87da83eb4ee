import * as z from 'zod/mini';
import { FAULT_KINDS } from '../mirrors/fault-kind.js';
import { legacyBatchKeysSchema } from './legacy-batch-result.js';

const count = z.number().check(z.int(), z.nonnegative());

/** One attempt as fetch-symbol records it; loose, so new diagnostic fields pass. */
const attemptSchema = z.looseObject({
  broker: z.string(),
  status: z.union([z.number(), z.string()]),
  ms: z.number().check(z.nonnegative()),
  code: z.optional(z.string()),
  detail: z.optional(z.string()),
  retryAfterMs: z.optional(z.number()),
});

const brokerSchema = z.strictObject({
  requests: count,
  ok: count,
  errors: count,
  circuit_opens: count,
  /** null when the mirror was never asked. */
  p50_ms: z.nullable(z.number().check(z.nonnegative())),
  p95_ms: z.nullable(z.number().check(z.nonnegative())),
  /**
   * Faults charged to the mirror, by kind (see FAULT_KINDS in src/mirrors/fault-kind.ts:
   * refused, reset, timeout, truncated, network, http_429, http_5xx, http_4xx, http_other,
   * too_large, html, binary, format, empty, disagreement, other); kinds that did not occur
   * are left out. Each failed request is one fault; `empty` and `disagreement` may also be
   * found later, by comparing mirrors, on a request counted `ok`.
   */
  faults: z.partialRecord(z.enum(FAULT_KINDS), count),
});

/**
 * The JSON document `update` prints on stdout and stores in crawl_runs: the Python
 * backend's batch response, plus `interrupted` and `dry_run` at the top and three counts
 * in `result` the backend never had:
 * - `no_data`: symbols a mirror answered for with no bars (e.g. delisted); not failures.
 * - `aborted`: symbols never attempted because the run stopped (signal or fatal error).
 * - `failures_omitted`: failures beyond the first {@link MAX_LISTED_FAILURES}, counted only.
 *
 * Invariants: processed = succeeded + failed + no_data (attempted symbols; skipped ones
 * are not processed); total = processed + skipped + aborted; revised ⊆ succeeded.
 * `success` is false when any symbol failed, the run stopped on a fatal error, or it was
 * interrupted. Strict objects, so any drift in shape fails the tests that parse it.
 */
export const batchSummarySchema = z.strictObject({
  success: z.boolean(),
  message: z.string().check(z.regex(/^[^\r\n]*$/, 'one line')),
  run_id: z.string().check(z.minLength(1)),
  result: z.strictObject({
    total: count,
    processed: count,
    succeeded: count,
    failed: count,
    skipped: count,
    revised: count,
    no_data: count,
    aborted: count,
    rows: z.strictObject({ created: count, updated: count, unchanged: count, rejected: count }),
    duration_ms: count,
    symbols_per_second: z.number().check(z.nonnegative()),
    brokers: z.record(z.string(), brokerSchema),
    failures: z.array(z.strictObject({ stock_code: z.string(), error: z.string(), attempts: z.array(attemptSchema) })),
    failures_omitted: count,
    /**
     * Cross-checks between mirrors: whole histories a second mirror confirmed before they
     * were stored; disagreement faults charged (a mirror's bars differing from what others
     * confirmed); symbols failed because no two mirrors agreed (E_MIRRORS_DISAGREE).
     */
    consistency: z.strictObject({ confirmed: count, disagreements: count, unresolved: count }),
    // The old service's batch result, with its meanings (detailed_results only with --detailed).
    ...legacyBatchKeysSchema.shape,
  }),
  updated_at: z.iso.datetime(),
  source: z.literal('node'),
  interrupted: z.boolean(),
  dry_run: z.boolean(),
  /** What was done about the symbol universe and calendar first (null: a list was given, or --no-sync). */
  reference: z.nullable(
    z.strictObject({
      status: z.enum(['fresh', 'synced', 'partial', 'failed']),
      universe_age_s: z.nullable(z.number().check(z.int(), z.nonnegative())),
      message: z.string(),
      sync: z.nullable(z.looseObject({})),
    }),
  ),
});

export type BatchSummary = z.infer<typeof batchSummarySchema>;
