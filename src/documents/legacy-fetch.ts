import * as z from 'zod/mini';
import { formatLegacyLatestDate, legacyLatestDateSchema } from './legacy-latest-date.js';
import { formatLegacyTimestamp, legacyTimestampSchema } from './legacy-timestamp.js';

/*
 * The old service's answer to `GET /api/v1/data/daily/{symbol}` when it did not fail
 * (api/endpoints/data.py, get_daily_data_for_stock): the stored branch and the skip
 * branch. Keys in the old order, strict: a key more or less is a different document.
 */

const count = z.number().check(z.int(), z.nonnegative());

/** The old fetch document after fetching and storing (HTTP 200, `status: "success"`). */
export const legacyFetchSuccessSchema = z.strictObject({
  status: z.literal('success'),
  stock_symbol: z.string(),
  /** 'Successfully processed daily data for stock 2330'. */
  message: z.string(),
  /** Bars parsed from the mirror's answer, all of them. */
  records_processed: count,
  /** Rows inserted. */
  records_created: count,
  /** Rows that already existed, changed or not (the old writer touched each). */
  records_updated: count,
  timestamp: legacyTimestampSchema,
  /** '8 broker websites'. */
  data_sources: z.string(),
  data_quality: z.literal('adjusted_daily_prices'),
});

/** The old fetch document for a symbol whose stored bars were current (HTTP 200, `status: "skipped"`). */
export const legacyFetchSkippedSchema = z.strictObject({
  status: z.literal('skipped'),
  stock_symbol: z.string(),
  /** 'Data for stock 2330 is already up to date'. */
  message: z.string(),
  records_processed: count,
  records_created: count,
  records_updated: count,
  latest_date: legacyLatestDateSchema,
  /** 'Stock data is already up to date'. */
  reason: z.string(),
  timestamp: legacyTimestampSchema,
  data_sources: z.literal('intelligent skip'),
  data_quality: z.literal('already_current'),
});

/** Either old fetch document that is not a failure. */
export const legacyFetchDocumentSchema = z.discriminatedUnion('status', [legacyFetchSuccessSchema, legacyFetchSkippedSchema]);

export type LegacyFetchSuccess = z.infer<typeof legacyFetchSuccessSchema>;
export type LegacyFetchSkipped = z.infer<typeof legacyFetchSkippedSchema>;
export type LegacyFetchDocument = z.infer<typeof legacyFetchDocumentSchema>;

/**
 * The old keys a default (superset) fetch document carries besides its own: the old
 * document without `message`, which the default document has already, with its own text.
 * Compose with `.shape` (e.g. `z.strictObject({ ...own, ...legacyFetchSuccessKeysSchema.shape })`).
 */
export const legacyFetchSuccessKeysSchema = z.omit(legacyFetchSuccessSchema, { message: true });
/** The same for the skip branch. */
export const legacyFetchSkippedKeysSchema = z.omit(legacyFetchSkippedSchema, { message: true });

export type LegacyFetchSuccessKeys = z.infer<typeof legacyFetchSuccessKeysSchema>;
export type LegacyFetchSkippedKeys = z.infer<typeof legacyFetchSkippedKeysSchema>;

/** The skip reason the old service wrote (its endpoint's fallback text was never reached). */
export const LEGACY_SKIP_REASON = 'Stock data is already up to date';

/** A symbol fetched (or fetched and validated, in a dry run) and stored. */
export interface LegacyFetchStoredInput {
  status: 'success';
  symbol: string;
  /** Bars in the mirror's answer, before validation. */
  recordsProcessed: number;
  /** Rows the save inserted, updated with new values, and left as they were (0 each when nothing was written). */
  created: number;
  updated: number;
  unchanged: number;
  /** Mirrors configured: the old text said '8 broker websites'. */
  mirrorCount: number;
  /** When the symbol finished, ms since the epoch. */
  epochMs: number;
  /** IANA zone the timestamp is written in, e.g. 'Asia/Taipei'. */
  timeZone: string;
}

/** A symbol skipped without a request because its stored bars were current. */
export interface LegacyFetchSkippedInput {
  status: 'skipped';
  symbol: string;
  /** Newest stored trading day, 'YYYY-MM-DD'. */
  latestDate: string;
  epochMs: number;
  timeZone: string;
}

export type LegacyFetchInput = LegacyFetchStoredInput | LegacyFetchSkippedInput;

/** The old fetch document (`--shape legacy`), exactly the old keys in the old order. */
export function buildLegacyFetchDocument(input: LegacyFetchStoredInput): LegacyFetchSuccess;
export function buildLegacyFetchDocument(input: LegacyFetchSkippedInput): LegacyFetchSkipped;
export function buildLegacyFetchDocument(input: LegacyFetchInput): LegacyFetchDocument;
export function buildLegacyFetchDocument(input: LegacyFetchInput): LegacyFetchDocument {
  const timestamp = formatLegacyTimestamp(input.epochMs, input.timeZone);
  if (input.status === 'skipped') {
    return {
      status: 'skipped',
      stock_symbol: input.symbol,
      message: `Data for stock ${input.symbol} is already up to date`,
      records_processed: 0,
      records_created: 0,
      records_updated: 0,
      latest_date: formatLegacyLatestDate(input.latestDate),
      reason: LEGACY_SKIP_REASON,
      timestamp,
      data_sources: 'intelligent skip',
      data_quality: 'already_current',
    };
  }
  return {
    status: 'success',
    stock_symbol: input.symbol,
    message: `Successfully processed daily data for stock ${input.symbol}`,
    records_processed: input.recordsProcessed,
    records_created: input.created,
    // The old writer counted every row that existed already, whether or not it changed.
    records_updated: input.updated + input.unchanged,
    timestamp,
    data_sources: `${input.mirrorCount} broker websites`,
    data_quality: 'adjusted_daily_prices',
  };
}

/** The old keys for a default fetch document: {@link buildLegacyFetchDocument} without `message`. */
export function buildLegacyFetchKeys(input: LegacyFetchStoredInput): LegacyFetchSuccessKeys;
export function buildLegacyFetchKeys(input: LegacyFetchSkippedInput): LegacyFetchSkippedKeys;
export function buildLegacyFetchKeys(input: LegacyFetchInput): LegacyFetchSuccessKeys | LegacyFetchSkippedKeys;
export function buildLegacyFetchKeys(input: LegacyFetchInput): LegacyFetchSuccessKeys | LegacyFetchSkippedKeys {
  const { message: _message, ...keys } = buildLegacyFetchDocument(input);
  return keys;
}
