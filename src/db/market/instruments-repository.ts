import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';

/** One instrument as a sync stores it. */
export interface InstrumentRecord {
  code: string;
  name: string;
  /** 'TSE' or 'TPEx'. */
  market: string;
  type: string;
  isin: string | null;
  cfi: string | null;
  industry: string | null;
  /** `YYYY-MM-DD`. */
  listedDate: string | null;
}

/** A stored instrument, with when the crawler saw it. */
export interface StoredInstrument extends InstrumentRecord {
  firstSeen: Date;
  lastSeen: Date;
  /** `YYYY-MM-DD` the sync found it gone; null while listed. */
  delistedDate: string | null;
}

/** The crawler's own table of instruments (`market_instruments`). */
export interface InstrumentsRepository {
  /** Every stored instrument, listed or not, in byte order of code. */
  all(): Promise<StoredInstrument[]>;
  /**
   * Inserts or updates `records` as listed at `seenAt`: name, market, type, codes,
   * industry and listing date take the new values, `last_seen` moves, a delisting is
   * cleared; `first_seen` stays as first written.
   */
  upsert(records: readonly InstrumentRecord[], seenAt: Date): Promise<void>;
  /** Sets `delisted_date = day` on the listed ones of `codes`; returns the codes changed. */
  markDelisted(codes: readonly string[], day: string): Promise<string[]>;
}

/** Binds the repository to `db` (a transaction works too). */
export function createInstrumentsRepository(db: Kysely<any>): InstrumentsRepository {
  return {
    async all() {
      const { rows } = await sql<InstrumentRow>`
        select code, name, market, type, isin, cfi, industry, listed_date, first_seen, last_seen, delisted_date
        from market_instruments order by code collate "C"`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows.map((row) => ({
        code: row.code,
        name: row.name,
        market: row.market,
        type: row.type,
        isin: row.isin,
        cfi: row.cfi,
        industry: row.industry,
        listedDate: row.listed_date,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
        delistedDate: row.delisted_date,
      }));
    },

    async upsert(records, seenAt) {
      if (records.length === 0) return;
      const column = (pick: (record: InstrumentRecord) => string | null): string => toPgArrayLiteral(records.map(pick));
      const seen = seenAt.toISOString();
      await sql`
        insert into market_instruments
          (code, name, market, type, isin, cfi, industry, listed_date, first_seen, last_seen, delisted_date)
        select i.code, i.name, i.market, i.type, i.isin, i.cfi, i.industry, i.listed::date,
               ${seen}::timestamptz, ${seen}::timestamptz, null
        from unnest(${column((r) => r.code)}::text[], ${column((r) => r.name)}::text[], ${column((r) => r.market)}::text[],
                    ${column((r) => r.type)}::text[], ${column((r) => r.isin)}::text[], ${column((r) => r.cfi)}::text[],
                    ${column((r) => r.industry)}::text[], ${column((r) => r.listedDate)}::text[])
             as i(code, name, market, type, isin, cfi, industry, listed)
        on conflict (code) do update set
          name = excluded.name, market = excluded.market, type = excluded.type, isin = excluded.isin,
          cfi = excluded.cfi, industry = excluded.industry, listed_date = excluded.listed_date,
          last_seen = excluded.last_seen, delisted_date = null`
        .execute(db)
        .catch(rethrowUnavailable);
    },

    async markDelisted(codes, day) {
      if (codes.length === 0) return [];
      const { rows } = await sql<{ code: string }>`
        update market_instruments set delisted_date = ${day}::date
        where code = any(${toPgArrayLiteral([...codes])}::text[]) and delisted_date is null
        returning code`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows.map((row) => row.code).sort();
    },
  };
}

interface InstrumentRow {
  code: string;
  name: string;
  market: string;
  type: string;
  isin: string | null;
  cfi: string | null;
  industry: string | null;
  listed_date: string | null;
  first_seen: Date;
  last_seen: Date;
  delisted_date: string | null;
}
