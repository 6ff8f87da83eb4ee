import { sql, type Kysely } from 'kysely';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import type { IndexInfo } from './catalog.js';

/** What a command needs to know of one table before using it, as catalog.ts reads it. */
export interface TableDescription {
  /** Visible on the search_path. */
  exists: boolean;
  /** Column name → SQL type as PostgreSQL spells it; empty when the table is missing. */
  columns: Map<string, string>;
  /** Plain-column, non-partial indexes (see tableIndexes). */
  indexes: IndexInfo[];
  /** The table's comment (see table-owner.ts), or null. */
  comment: string | null;
}

/**
 * Describes `tables` in one statement, in the order given. Every command opens its store by checking the
 * schema and the bars table; asked one question at a time, that was eight round trips to
 * the server before any work (the catalog answers each in microseconds).
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
