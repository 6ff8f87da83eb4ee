import pg from 'pg';

/** stock_daily_data's size on the server, in bytes. */
export interface RelationSize {
  /** pg_total_relation_size: table, indexes and TOAST. */
  total: number;
  table: number;
  indexes: number;
}

/**
 * Creates database `name` through the admin connection, hands its URL to `use`, and drops
 * it afterwards (connections or not).
 */
export async function withScratchDatabase<T>(admin: pg.Client, adminUrl: string, name: string, use: (url: string) => Promise<T>): Promise<T> {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
  }
}

/** Runs `use` with a client of `url`, ended afterwards. */
export async function withClient<T>(url: string, use: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

/** The size of stock_daily_data with its indexes. */
export async function relationSize(db: pg.Client): Promise<RelationSize> {
  const { rows } = await db.query<{ total: string; heap: string; indexes: string }>(
    `select pg_total_relation_size('stock_daily_data') as total, pg_relation_size('stock_daily_data') as heap,
            pg_indexes_size('stock_daily_data') as indexes`,
  );
  const row = rows[0] as { total: string; heap: string; indexes: string };
  return { total: Number(row.total), table: Number(row.heap), indexes: Number(row.indexes) };
}

/** Rows in stock_daily_data. */
export async function storedRows(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from stock_daily_data');
  return Number(rows[0]?.n);
}
