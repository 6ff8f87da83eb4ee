/**
 * Why a reference source was not used. Transport: `http_status`, `network`, `timeout`,
 * `too_large`. Content: `no_table` (a page without the ISIN table — a block or error page),
 * `truncated` (the table never ends), `empty` (no rows), `unparseable` (not the JSON
 * expected). Safety: `shrunk` (fewer than half the rows of the last good sync),
 * `mass_delist` (would deactivate more than 5 % of the market's active symbols).
 */
export type RefusalReason =
  | 'http_status'
  | 'network'
  | 'timeout'
  | 'too_large'
  | 'no_table'
  | 'truncated'
  | 'empty'
  | 'unparseable'
  | 'shrunk'
  | 'mass_delist';

/** A source left unused, and why, in words an operator can act on. */
export interface SourceRefusal {
  reason: RefusalReason;
  message: string;
  /** The HTTP status, when the source answered one. */
  status?: number | undefined;
}
