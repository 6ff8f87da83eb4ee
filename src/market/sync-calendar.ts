import type { Kysely } from 'kysely';
import { createHolidaysRepository } from '../db/market/holidays-repository.js';
import { createSyncStateRepository, HOLIDAYS_SOURCE } from '../db/market/sync-state-repository.js';
import type { Logger } from '../logger.js';
import { parseHolidaySchedule } from './parse-holiday-schedule.js';
import { planCalendarSync, type CalendarSyncPlan } from './plan-calendar-sync.js';
import type { FetchSource } from './source-client.js';
import type { SourceOutcome } from './sync-document.js';
import type { SourceRefusal } from './source-refusal.js';

/** What {@link syncCalendar} needs. */
export interface SyncCalendarInput {
  db: Kysely<any>;
  fetchSource: FetchSource;
  url: string;
  dryRun: boolean;
  now: Date;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * Syncs the market holidays from the exchange's schedule: the years it covers are
 * replaced, other years kept, in one transaction with the sync state. A refused schedule
 * changes nothing. A dry run reads and decides only.
 */
export async function syncCalendar(input: SyncCalendarInput): Promise<{ outcome: SourceOutcome; plan: CalendarSyncPlan | null }> {
  const { db, logger } = input;
  const answer = await input.fetchSource(input.url, input.signal);
  let refusal: SourceRefusal | null = answer.ok ? null : answer.refusal;
  let plan: CalendarSyncPlan | null = null;
  let rows = 0;
  if (answer.ok) {
    const parsed = parseHolidaySchedule(answer.bytes);
    if (!parsed.ok) refusal = parsed.refusal;
    else {
      rows = parsed.schedule.rows;
      const states = await createSyncStateRepository(db).all();
      const lastGood = states.find((state) => state.source === HOLIDAYS_SOURCE)?.rowCount ?? null;
      const stored = await createHolidaysRepository(db).inYears(parsed.schedule.years);
      const decision = planCalendarSync(parsed.schedule, stored, lastGood);
      if (decision.ok) plan = decision.plan;
      else refusal = decision.refusal;
    }
  }
  const outcome: SourceOutcome = { source: HOLIDAYS_SOURCE, url: input.url, counts: null, refusal };
  if (refusal !== null) {
    logger.warn({ url: input.url, reason: refusal.reason }, `holiday schedule refused: ${refusal.message}`);
    if (!input.dryRun) {
      await createSyncStateRepository(db).recordFailure(HOLIDAYS_SOURCE, { url: input.url, error: `${refusal.reason}: ${refusal.message}` }, input.now);
    }
    return { outcome, plan: null };
  }
  const accepted = plan!;
  if (!input.dryRun) {
    await db.transaction().execute(async (trx) => {
      await createHolidaysRepository(trx).replaceYears(accepted.years, accepted.holidays, input.now);
      await createSyncStateRepository(trx).recordSuccess(
        HOLIDAYS_SOURCE,
        { url: input.url, rowCount: rows, keptCount: accepted.holidays.length },
        input.now,
      );
    });
  }
  logger.info(
    { year: accepted.year, holidays: accepted.holidays.length, added: accepted.added.length, removed: accepted.removed.length },
    input.dryRun ? 'market calendar read (dry run: not stored)' : 'market calendar synced',
  );
  return { outcome, plan: accepted };
}
