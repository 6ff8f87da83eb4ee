import { sql, type Kysely } from 'kysely';
import { tableComment } from './catalog.js';

/**
 * Which tables the crawler created, as opposed to adopted from the Python backend. The
 * mark is a comment on the table itself, written by the migration that created it:
 * it travels with the table through pg_dump and restore, and disappears with it — a
 * `stocks` the backend later recreates reads as adopted, where a row in a bookkeeping
 * table would go on claiming it. Anything else (no comment, or a comment of the
 * backend's) reads as adopted, the safe side: an adopted table is only read.
 */
const MARK = 'stock-crawler:';

/** Marks `table` as created by the crawler; `migration` names the migration, for people reading the comment. */
export async function markCreatedByCrawler(db: Kysely<any>, table: string, migration: string): Promise<void> {
  // COMMENT takes a literal, not a parameter.
  const text = `${MARK} created by migration ${migration}; the crawler may write to it`;
  await sql`comment on table ${sql.table(table)} is ${sql.lit(text)}`.execute(db);
}

/** Whether the crawler created `table` (see markCreatedByCrawler); false for a missing table. */
export async function isCreatedByCrawler(db: Kysely<any>, table: string): Promise<boolean> {
  return isCrawlerComment(await tableComment(db, table));
}

/** Whether a table's comment is the crawler's mark (see markCreatedByCrawler). */
export function isCrawlerComment(comment: string | null): boolean {
  return comment?.startsWith(MARK) === true;
}
