import * as z from 'zod/mini';

/**
 * `latest_date` in the old service's skip documents: `trade_date.isoformat()` of the
 * newest stored row. The backend's trade_date is a timestamptz at midnight UTC and its
 * sessions run in UTC, so Python printed '2025-09-10T00:00:00+00:00', not a bare day.
 * The schema takes any ISO date or date-time (a reader of the old documents parses it
 * with `datetime.fromisoformat`), or null (the old code's value when there was no row).
 */
export const legacyLatestDateSchema = z.nullable(
  z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z)?)?$/, 'an ISO-8601 date or date-time')),
);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The trading day 'YYYY-MM-DD' as the old service printed a stored one:
 * 'YYYY-MM-DDT00:00:00+00:00'.
 * @throws RangeError when `day` is not 'YYYY-MM-DD'.
 */
export function formatLegacyLatestDate(day: string): string {
  if (!DAY.test(day)) throw new RangeError(`not a YYYY-MM-DD day: ${JSON.stringify(day)}`);
  return `${day}T00:00:00+00:00`;
}
