import { describe, expect, it } from 'vitest';
import type { HolidaySchedule, MarketHoliday } from '../../src/market/parse-holiday-schedule.js';
import { planCalendarSync } from '../../src/market/plan-calendar-sync.js';

const holiday = (day: string, name = 'holiday', description: string | null = null): MarketHoliday => ({ day, name, description });

function schedule(holidays: MarketHoliday[], tradingDays: string[] = []): HolidaySchedule {
  return { holidays, tradingDays, rows: holidays.length + tradingDays.length, invalid: 0, year: 2026, years: [2026] };
}

describe('planCalendarSync', () => {
  it('adds every holiday to an empty store', () => {
    const decision = planCalendarSync(schedule([holiday('2026-01-01'), holiday('2026-10-09')], ['2026-01-02']), [], null);
    expect(decision).toEqual({
      ok: true,
      plan: {
        year: 2026,
        years: [2026],
        holidays: [holiday('2026-01-01'), holiday('2026-10-09')],
        added: ['2026-01-01', '2026-10-09'],
        removed: [],
        changed: [],
        tradingDays: 1,
      },
    });
  });

  it('replaces the year: a day no longer listed is removed, a renamed one changed; other years are not its business', () => {
    const stored = [holiday('2025-12-25'), holiday('2026-01-01'), holiday('2026-09-25', 'old'), holiday('2026-09-29')];
    const decision = planCalendarSync(schedule([holiday('2026-01-01'), holiday('2026-09-25', 'new'), holiday('2026-09-28')]), stored, 4);
    expect(decision).toMatchObject({ ok: true, plan: { added: ['2026-09-28'], removed: ['2026-09-29'], changed: ['2026-09-25'] } });
  });

  it('refuses a schedule with fewer than half the rows of the last good sync', () => {
    const decision = planCalendarSync(schedule([holiday('2026-01-01')]), [], 3);
    expect(decision).toMatchObject({ ok: false, refusal: { reason: 'shrunk' } });
    expect(planCalendarSync(schedule([holiday('2026-01-01'), holiday('2026-01-02')]), [], 4).ok).toBe(true);
  });
});
