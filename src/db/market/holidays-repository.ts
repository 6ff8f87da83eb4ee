import { sql, type Kysely } from 'kysely';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';

/** One stored market closure. */
export interface StoredHoliday {
  /** `YYYY-MM-DD`. */
  day: string;
  name: string;
  description: string | null;
}

/** The market holidays (`market_holidays`), kept across years. */
export interface HolidaysRepository {
  /**
   * Every stored holiday date, ascending: what the trading calendar is built from
   * (`holidayCalendar(await holidays.days())`). Empty when no calendar was ever synced.
   */
  days(): Promise<string[]>;
  /** The stored holidays of `years`, ascending. */
  inYears(years: readonly number[]): Promise<StoredHoliday[]>;
  /**
   * Makes the stored holidays of `years` exactly `holidays` (inserting, updating,
   * deleting within those years only); other years are kept.
   */
  replaceYears(years: readonly number[], holidays: readonly StoredHoliday[], syncedAt: Date): Promise<void>;
}

/** Binds the repository to `db` (a transaction works too). */
export function createHolidaysRepository(db: Kysely<any>): HolidaysRepository {
  return {
    async days() {
      const { rows } = await sql<{ day: string }>`select day from market_holidays order by day`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows.map((row) => row.day);
    },

    async inYears(years) {
      if (years.length === 0) return [];
      const { rows } = await sql<StoredHoliday>`
        select day, name, description from market_holidays
        where extract(year from day)::int = any(${toPgArrayLiteral([...years])}::int[])
        order by day`
        .execute(db)
        .catch(rethrowUnavailable);
      return rows;
    },

    async replaceYears(years, holidays, syncedAt) {
      if (years.length === 0) return;
      const days = toPgArrayLiteral(holidays.map((holiday) => holiday.day));
      await sql`
        delete from market_holidays
        where extract(year from day)::int = any(${toPgArrayLiteral([...years])}::int[])
          and day <> all(${days}::date[])`
        .execute(db)
        .catch(rethrowUnavailable);
      if (holidays.length === 0) return;
      await sql`
        insert into market_holidays (day, name, description, synced_at)
        select h.day::date, h.name, h.description, ${syncedAt.toISOString()}::timestamptz
        from unnest(${days}::text[], ${toPgArrayLiteral(holidays.map((holiday) => holiday.name))}::text[],
                    ${toPgArrayLiteral(holidays.map((holiday) => holiday.description))}::text[]) as h(day, name, description)
        on conflict (day) do update set name = excluded.name, description = excluded.description, synced_at = excluded.synced_at`
        .execute(db)
        .catch(rethrowUnavailable);
    },
  };
}
