import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { createSyncStateRepository, type SyncState } from './sync-state-repository.js';

/** What is stored of the market's reference data: enough for `update` and `health` to judge their age. */
export interface ReferenceState {
  /** Each source's last good sync and last attempt (`TSE`, `TPEx`, `holidays`). */
  sources: SyncState[];
  /** Active rows of `stocks` by market (`TSE`, `TPEx`, and any other value it holds, e.g. `UNKNOWN`). */
  activeByMarket: Record<string, number>;
  /** Active rows of `stocks` in all. */
  activeSymbols: number;
  /** Stored holidays, and the first and last of them (`YYYY-MM-DD`), null when none. */
  holidays: { count: number; first: string | null; last: string | null };
}

/** Reads the reference state in three small queries (read-only). */
export async function readReferenceState(db: Kysely<any>): Promise<ReferenceState> {
  const sources = await createSyncStateRepository(db).all();
  const active = await sql<{ market: string; count: number }>`
    select market, count(*)::int as count from stocks where is_active is not false group by market order by market collate "C"`
    .execute(db)
    .catch(rethrowUnavailable);
  const holidays = await sql<{ count: number; first: string | null; last: string | null }>`
    select count(*)::int as count, min(day) as first, max(day) as last from market_holidays`
    .execute(db)
    .catch(rethrowUnavailable);
  const activeByMarket: Record<string, number> = {};
  for (const row of active.rows) activeByMarket[row.market] = row.count;
  return {
    sources,
    activeByMarket,
    activeSymbols: active.rows.reduce((sum, row) => sum + row.count, 0),
    holidays: holidays.rows[0] ?? { count: 0, first: null, last: null },
  };
}
