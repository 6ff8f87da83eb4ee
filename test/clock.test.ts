import { describe, expect, it } from 'vitest';
import { calendarDateIn, dateTimeIn, isKnownTimeZone, minutesIntoDayIn } from '../src/clock.js';

describe('calendarDateIn', () => {
  it('gives the Taipei date, which runs eight hours ahead of UTC', () => {
    const lateUtc = Date.UTC(2026, 10, 25, 17, 30); // 01:30 on the 26th in Taipei
    expect(calendarDateIn(lateUtc, 'Asia/Taipei')).toBe('2026-11-26');
    expect(calendarDateIn(lateUtc, 'UTC')).toBe('2026-11-25');
  });

  it('knows real zones and refuses made-up ones', () => {
    expect(isKnownTimeZone('Asia/Taipei')).toBe(true);
    expect(isKnownTimeZone('Asia/Nowhere')).toBe(false);
    // Names outside Intl's canonical list that Intl still accepts.
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('US/Eastern')).toBe(true);
  });
});

describe('a zone whose offset is fixed (Asia/Taipei)', () => {
  // The same wall clock as Intl's, read without it; compared at every quarter hour around
  // midnights and at random instants from 1980 to 2100.
  const intlDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit', day: '2-digit' });
  const intlTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Taipei', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const intlMinutes = (ms: number): number => {
    const [hour, minute] = intlTime.format(new Date(ms)).split(':').map(Number);
    return (hour as number) * 60 + (minute as number);
  };
  const instants: number[] = [];
  for (let quarter = -8; quarter <= 8; quarter++) instants.push(Date.UTC(2026, 11, 3, 16) + quarter * 900_000);
  let seed = 7;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2_000; i++) instants.push(Date.UTC(1980, 0, 1) + Math.floor(random() * (Date.UTC(2100, 0, 1) - Date.UTC(1980, 0, 1))));

  const intlDateTime = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

  it('gives the same date and time of day as Intl', () => {
    for (const ms of instants) {
      // sv-SE writes 'YYYY-MM-DD HH:MM:SS'.
      expect(dateTimeIn(ms, 'Asia/Taipei'), new Date(ms).toISOString()).toBe(intlDateTime.format(new Date(ms)).replace(' ', 'T'));
      expect(calendarDateIn(ms, 'Asia/Taipei'), new Date(ms).toISOString()).toBe(intlDate.format(new Date(ms)));
      expect(minutesIntoDayIn(ms, 'Asia/Taipei'), new Date(ms).toISOString()).toBe(intlMinutes(ms));
    }
  });

  it('goes to Intl before 1980, when Taiwan still kept summer time', () => {
    const summer1979 = Date.UTC(1979, 6, 15, 15, 30); // 00:30 on 16 July, UTC+9 then
    expect(minutesIntoDayIn(summer1979, 'Asia/Taipei')).toBe(intlMinutes(summer1979));
    expect(calendarDateIn(summer1979, 'Asia/Taipei')).toBe(intlDate.format(new Date(summer1979)));
    expect(dateTimeIn(summer1979, 'Asia/Taipei')).toBe('1979-07-16T00:30:00');
  });

  it('reads other zones through Intl', () => {
    const ms = Date.UTC(2026, 6, 1, 3, 45);
    expect(minutesIntoDayIn(ms, 'America/New_York')).toBe(23 * 60 + 45);
    expect(calendarDateIn(ms, 'America/New_York')).toBe('2026-06-30');
    expect(dateTimeIn(ms + 7_250, 'America/New_York')).toBe('2026-06-30T23:45:07');
    expect(() => dateTimeIn(ms, 'Asia/Nowhere')).toThrow(RangeError);
  });
});
