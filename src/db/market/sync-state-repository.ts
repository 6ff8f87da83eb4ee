import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';

/** The source key of the holiday schedule; the ISIN pages are keyed by their market. */
export const HOLIDAYS_SOURCE = 'holidays';

/** One reference source's last good sync and last attempt. */
export interface SyncState {
  /** `TSE`, `TPEx` or `holidays`. */
  source: string;
  url: string;
  /** Rows of the last good sync's table: the baseline the next one is checked against. */
  rowCount: number | null;
  /** Rows it kept. */
  keptCount: number | null;
  /** When the last good sync ran; null before the first. */
  syncedAt: Date | null;
  /** When the source was last tried. */
  checkedAt: Date;
  /** Why the last attempt was refused; null when it was good. */
  lastError: string | null;
}

/** `market_sync_state`: what `update` and `health` read to know how old the reference data are. */
export interface SyncStateRepository {
  /** Every source's state, by source. */
  all(): Promise<SyncState[]>;
  /** Records a good sync of `source` at `at`. */
  recordSuccess(source: string, sync: { url: string; rowCount: number; keptCount: number }, at: Date): Promise<void>;
  /** Records a refused attempt; the last good sync (and its counts) stay as they were. */
  recordFailure(source: string, attempt: { url: string; error: string }, at: Date): Promise<void>;
}

/** Binds the repository to `db` (a transaction works too). */
export function createSyncStateRepository(db: Kysely<any>): SyncStateRepository {
  return {
    async all() {
      const { rows } = await sql<StateRow>`
        select source, url, row_count, kept_count, synced_at, checked_at, last_error
        from market_sync_state order by source collate "C"`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows.map((row) => ({
        source: row.source,
        url: row.url,
        rowCount: row.row_count,
        keptCount: row.kept_count,
        syncedAt: row.synced_at,
        checkedAt: row.checked_at,
        lastError: row.last_error,
      }));
    },

    async recordSuccess(source, sync, at) {
      const when = at.toISOString();
      await sql`
        insert into market_sync_state (source, url, row_count, kept_count, synced_at, checked_at, last_error)
        values (${source}, ${sync.url}, ${sync.rowCount}::int, ${sync.keptCount}::int, ${when}::timestamptz, ${when}::timestamptz, null)
        on conflict (source) do update set
          url = excluded.url, row_count = excluded.row_count, kept_count = excluded.kept_count,
          synced_at = excluded.synced_at, checked_at = excluded.checked_at, last_error = null`
        .execute(db)
        .catch(rethrowUnavailable);
    },

    async recordFailure(source, attempt, at) {
      await sql`
        insert into market_sync_state (source, url, checked_at, last_error)
        values (${source}, ${attempt.url}, ${at.toISOString()}::timestamptz, ${attempt.error})
        on conflict (source) do update set
          url = excluded.url, checked_at = excluded.checked_at, last_error = excluded.last_error`
        .execute(db)
        .catch(rethrowUnavailable);
    },
  };
}

interface StateRow {
  source: string;
  url: string;
  row_count: number | null;
  kept_count: number | null;
  synced_at: Date | null;
  checked_at: Date;
  last_error: string | null;
}
