import * as z from 'zod/mini';
import { formatLegacyTimestamp, legacyTimestampSchema } from './legacy-timestamp.js';

/**
 * The old fetch endpoint's failure: FastAPI's HTTPException body, `{"detail": …}`
 * (HTTP 500 when no mirror delivered or on an internal error, 400 for a bad symbol).
 */
export const legacyFetchErrorSchema = z.strictObject({ detail: z.string() });

export type LegacyFetchError = z.infer<typeof legacyFetchErrorSchema>;

/**
 * The old keys a default fetch document carries when it failed: `status: "error"` (the
 * old service's own word for it), `stock_symbol`, the old `detail` text and `timestamp`.
 */
export const legacyFetchErrorKeysSchema = z.strictObject({
  status: z.literal('error'),
  stock_symbol: z.string(),
  detail: z.string(),
  timestamp: legacyTimestampSchema,
});

export type LegacyFetchErrorKeys = z.infer<typeof legacyFetchErrorKeysSchema>;

/**
 * Why a fetch failed, in the old endpoint's terms:
 * - `unavailable`: no mirror delivered (every attempt failed).
 * - `invalid_symbol`: the symbol was refused before any request.
 * - `internal`: anything else (a database error, a bug).
 */
export type LegacyFetchFailure = 'unavailable' | 'invalid_symbol' | 'internal';

export interface LegacyFetchErrorInput {
  /** The symbol as asked. */
  symbol: string;
  failure: LegacyFetchFailure;
}

/** The old `detail` text of each failure. */
export function legacyFetchErrorDetail(input: LegacyFetchErrorInput): string {
  switch (input.failure) {
    case 'unavailable':
      return `Failed to fetch daily data for stock ${input.symbol}. The broker data sources may be unavailable.`;
    case 'invalid_symbol':
      // The old text went on "Must be 4-digit number not starting with 0."; this crawler
      // accepts more (0050, 00878, 00631L), so that half would be false here.
      return `Invalid stock symbol: ${input.symbol}. Must be 4 to 6 digits and an optional letter.`;
    case 'internal':
      return `Internal server error while processing daily data for ${input.symbol}`;
  }
}

/** The old failure document (`--shape legacy`): `{detail}`. */
export function buildLegacyFetchError(input: LegacyFetchErrorInput): LegacyFetchError {
  return { detail: legacyFetchErrorDetail(input) };
}

/** The old keys for a failed default fetch document; `epochMs` and `timeZone` as in legacy-fetch.ts. */
export function buildLegacyFetchErrorKeys(input: LegacyFetchErrorInput & { epochMs: number; timeZone: string }): LegacyFetchErrorKeys {
  return {
    status: 'error',
    stock_symbol: input.symbol,
    detail: legacyFetchErrorDetail(input),
    timestamp: formatLegacyTimestamp(input.epochMs, input.timeZone),
  };
}
