import { sql, type Kysely } from 'kysely';
import { toPgArrayLiteral } from '../connection/pg-array.js';

/**
 * Read-only questions about the live schema, answered from pg_catalog so that they see
 * what the backend created, not what the crawler expects. Tables resolve through the
 * session's search_path, as the crawler's unqualified queries do.
 */

export interface IndexInfo {
  name: string;
  unique: boolean;
  /** Key columns in index order. */
  columns: string[];
}

/** What a command needs to know of one table before using it, as the catalog says. */
export interface TableDescription {
  /** Visible on the search_path. */
  exists: boolean;
  /** Column name → SQL type as PostgreSQL spells it; empty when the table is missing. */
  columns: Map<string, string>;
  /** Plain-column, non-partial indexes whose key columns are plain columns; expression and partial indexes cannot serve ON CONFLICT or the lookups. */
  indexes: IndexInfo[];
  /** The table's comment (see table-owner.ts), or null. */
  comment: string | null;
}

/**
 * Describes `tables` in one statement, in the order given. Every command opens its store by checking the
 * schema and the bars table; asked one question at a time, that was eight round trips to
 * the server before any work (the catalog answers each in microseconds). The single
 * questions below are this statement for one table.
 */
export async function describeTables(db: Kysely<any>, tables: readonly string[]): Promise<Map<string, TableDescription>> {
  const { rows } = await sql<{ name: string; found: boolean; comment: string | null; columns: string; indexes: string }>`
    select t.name, r.oid is not null as found, obj_description(r.oid, 'pg_class') as comment,
           coalesce((select json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod)) order by a.attnum)
                     from pg_attribute a
                     where a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped), '[]')::text as columns,
           coalesce((select json_agg(json_build_object(
                              'name', c.relname, 'unique', i.indisunique,
                              'columns', array(select a.attname::text
                                               from unnest(i.indkey) with ordinality as k(attnum, ord)
                                               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                                               where k.ord <= i.indnkeyatts
                                               order by k.ord)) order by c.relname)
                     from pg_index i join pg_class c on c.oid = i.indexrelid
                     where i.indrelid = r.oid and i.indpred is null and i.indexprs is null), '[]')::text as indexes
    from unnest(${toPgArrayLiteral([...tables])}::text[]) with ordinality as t(name, ord)
    cross join lateral (select to_regclass(t.name)::oid as oid) as r
    order by t.ord`.execute(db);
  return new Map(
    rows.map((row) => [
      row.name,
      {
        exists: row.found,
        columns: new Map(JSON.parse(row.columns) as Array<[string, string]>),
        indexes: JSON.parse(row.indexes) as IndexInfo[],
        comment: row.comment,
      },
    ]),
  );
}

async function describeTable(db: Kysely<any>, table: string): Promise<TableDescription> {
  return (await describeTables(db, [table])).get(table)!;
}

/** Whether a table is visible on the search_path. */
export async function tableExists(db: Kysely<any>, table: string): Promise<boolean> {
  return (await describeTable(db, table)).exists;
}

/** Column name → SQL type as PostgreSQL spells it (`numeric(12,4)`, `timestamp with time zone`…). */
export async function tableColumns(db: Kysely<any>, table: string): Promise<Map<string, string>> {
  return (await describeTable(db, table)).columns;
}

/** Plain-column, non-partial indexes of a table (expression and partial indexes cannot serve ON CONFLICT or the lookups). */
export async function tableIndexes(db: Kysely<any>, table: string): Promise<IndexInfo[]> {
  return (await describeTable(db, table)).indexes;
}

/** The table's comment, or null (see table-owner.ts). */
export async function tableComment(db: Kysely<any>, table: string): Promise<string | null> {
  return (await describeTable(db, table)).comment;
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
