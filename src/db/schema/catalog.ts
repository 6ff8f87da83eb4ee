import { sql, type Kysely } from 'kysely';

/**
 * Read-only questions about the live schema, answered from pg_catalog so that they see
 * what the backend created, not what the crawler expects. Tables resolve through the
 * session's search_path, as the crawler's unqualified queries do.
 */

/** Whether a table is visible on the search_path. */
export async function tableExists(db: Kysely<any>, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

/** Column name → SQL type as PostgreSQL spells it (`numeric(12,4)`, `timestamp with time zone`…). */
export async function tableColumns(db: Kysely<any>, table: string): Promise<Map<string, string>> {
  const { rows } = await sql<{ name: string; type: string }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    where a.attrelid = to_regclass(${table}) and a.attnum > 0 and not a.attisdropped
    order by a.attnum`.execute(db);
  return new Map(rows.map((row) => [row.name, row.type]));
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  /** Key columns in index order. */
  columns: string[];
}

/** Plain-column, non-partial indexes of a table (expression and partial indexes cannot serve ON CONFLICT or the lookups). */
export async function tableIndexes(db: Kysely<any>, table: string): Promise<IndexInfo[]> {
  const { rows } = await sql<{ name: string; is_unique: boolean; columns: string[] }>`
    select c.relname as name, i.indisunique as is_unique,
           array(select a.attname::text
                 from unnest(i.indkey) with ordinality as k(attnum, ord)
                 join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                 where k.ord <= i.indnkeyatts
                 order by k.ord) as columns
    from pg_index i
    join pg_class c on c.oid = i.indexrelid
    where i.indrelid = to_regclass(${table}) and i.indpred is null and i.indexprs is null
    order by c.relname`.execute(db);
  return rows.map((row) => ({ name: row.name, unique: row.is_unique, columns: row.columns }));
}

/** Whether a unique index covers exactly `columns` (in any order), as ON CONFLICT needs. */
export function hasUniqueKeyOn(indexes: readonly IndexInfo[], columns: readonly string[]): boolean {
  const wanted = [...columns].sort().join(',');
  return indexes.some((index) => index.unique && [...index.columns].sort().join(',') === wanted);
}

/** Whether some index starts with `column`, so that range and max() queries on it are cheap. */
export function hasIndexLeadingWith(indexes: readonly IndexInfo[], column: string): boolean {
  return indexes.some((index) => index.columns[0] === column);
}
