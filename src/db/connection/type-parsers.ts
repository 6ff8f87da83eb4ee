/**
 * Result-value parsers shared by both backends, keyed by PostgreSQL type oid.
 *
 * pg and PGlite disagree out of the box: pg returns numeric and int8 as strings and a
 * `date` as a JS Date at local midnight (so the day shifts with the process time zone);
 * PGlite returns int8 as a number and a `date` as a Date at UTC midnight. Installing the
 * same three parsers on both makes every query return the same JS types.
 * timestamp/timestamptz stay JS Dates on both (an instant is what they hold).
 */
export const TYPE_OIDS = {
  int8: 20,
  date: 1082,
  numeric: 1700,
} as const;

/** oid → parser of the text-format value. */
export const TYPE_PARSERS: Readonly<Record<number, (value: string) => unknown>> = {
  // A calendar day has no time zone: keep PostgreSQL's ISO text, 'YYYY-MM-DD'.
  [TYPE_OIDS.date]: (value) => value,
  // Prices are numeric(12,4) and volumes fit easily in a double; counts too. Values
  // beyond 2^53 would lose precision, which no column the crawler reads can reach.
  [TYPE_OIDS.numeric]: (value) => Number(value),
  [TYPE_OIDS.int8]: (value) => Number(value),
};
