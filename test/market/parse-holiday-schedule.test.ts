import { describe, expect, it } from 'vitest';
import { parseHolidaySchedule } from '../../src/market/parse-holiday-schedule.js';
import { rocDate } from '../../src/market/roc-date.js';
import { readFixture } from '../support/fixtures.js';

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('parseHolidaySchedule', () => {
  it('reads the 2026 schedule: closures stored, the first and last trading days not', () => {
    const result = parseHolidaySchedule(readFixture('market/holiday-schedule-2026.json'));
    if (!result.ok) throw new Error(result.refusal.message);
    const { schedule } = result;
    expect(schedule.year).toBe(2026);
    expect(schedule.years).toEqual([2026]);
    expect(schedule.tradingDays).toEqual(['2026-01-02', '2026-02-11', '2026-02-23', '2026-12-31']);
    expect(schedule.holidays).toHaveLength(18);
    expect(schedule.rows).toBe(22);
    expect(schedule.invalid).toBe(0);
    expect(schedule.holidays[0]).toEqual({ day: '2026-01-01', name: '中華民國開國紀念日', description: '依規定放假1日。' });
    // A closure with only settlement: no trading, an empty description read as none.
    expect(schedule.holidays.find((holiday) => holiday.day === '2026-02-12')).toEqual({
      day: '2026-02-12',
      name: '市場無交易，僅辦理結算交割作業',
      description: null,
    });
    expect(schedule.holidays.map((holiday) => holiday.day)).not.toContain('2026-12-31');
  });

  it('counts rows without a readable date, and keeps a day once', () => {
    const result = parseHolidaySchedule(
      json([
        { Name: '國慶日', Date: '1151009' },
        { Name: '國慶日', Date: '1151009', Description: 'again' },
        { Name: 'bad', Date: '1151332' },
        { Name: 'no date' },
        'not an object',
        { Name: '最後交易日', Date: 1151231 },
      ]),
    );
    expect(result).toMatchObject({
      ok: true,
      schedule: { holidays: [{ day: '2026-10-09', name: '國慶日', description: null }], tradingDays: ['2026-12-31'], invalid: 3, rows: 2 },
    });
  });

  it('treats a day listed as both a closure and a trading day as a trading day', () => {
    const result = parseHolidaySchedule(json([{ Name: '休市', Date: '1150102' }, { Name: '開始交易日', Date: '1150102' }]));
    expect(result).toMatchObject({ ok: true, schedule: { holidays: [], tradingDays: ['2026-01-02'] } });
  });

  it('names the year most rows fall in, and every year', () => {
    const result = parseHolidaySchedule(json([{ Name: 'a', Date: '1141231' }, { Name: 'b', Date: '1150101' }, { Name: 'c', Date: '1150216' }]));
    expect(result).toMatchObject({ ok: true, schedule: { year: 2026, years: [2025, 2026] } });
  });

  it('strips a byte order mark', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${JSON.stringify([{ Name: '國慶日', Date: '1151009' }])}`);
    expect(parseHolidaySchedule(bytes).ok).toBe(true);
  });

  it.each([
    ['an HTML page', readFixture('market/isin-blocked.html'), 'unparseable'],
    ['a JSON object', json({ data: [] }), 'unparseable'],
    ['an empty array', json([]), 'empty'],
    ['rows without dates', json([{ Name: 'x' }]), 'empty'],
  ])('refuses %s', (_what, bytes, reason) => {
    expect(parseHolidaySchedule(bytes)).toMatchObject({ ok: false, refusal: { reason } });
  });
});

describe('rocDate', () => {
  it.each([
    ['1150101', '2026-01-01'],
    ['1131231', '2024-12-31'],
    ['1130229', '2024-02-29'],
    ['991010', '2010-10-10'],
    [' 1150101 ', '2026-01-01'],
    ['1150229', null],
    ['1151301', null],
    ['2026-01-01', null],
    ['20260101', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(rocDate(text)).toBe(expected);
  });
});
