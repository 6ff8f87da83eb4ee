import { describe, expect, it } from 'vitest';
import type { SymbolSpan } from '../../src/db/quality/completeness-reader.js';
import { closedDaysWithBars, findMarketDays, judgeSymbols, missingDays } from '../../src/verify/completeness.js';
import { weekdays } from '../support/bars.js';

const DAYS = weekdays('2026-11-02', 10); // 2 … 13 November 2026
const noHolidays = new Set<string>();

/** Spans and per-day counts of symbols that each have every day of `days` but those in `lacking`. */
function store(symbols: Record<string, { days?: readonly string[]; lacking?: readonly string[] }>) {
  const spans = new Map<string, SymbolSpan>();
  const barsPerDay = new Map<string, number>();
  for (const [stock_code, { days = DAYS, lacking = [] }] of Object.entries(symbols)) {
    const have = days.filter((day) => !lacking.includes(day));
    spans.set(stock_code, { stock_code, first: have[0]!, last: have.at(-1)!, bars: have.length });
    for (const day of have) barsPerDay.set(day, (barsPerDay.get(day) ?? 0) + 1);
  }
  return { spans, barsPerDay };
}

const ten = (overrides: Record<string, { days?: readonly string[]; lacking?: readonly string[] }> = {}) =>
  store({ ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(1000 + i), {}])), ...overrides });

describe('findMarketDays', () => {
  it('takes a day missing for every symbol as a closure, not an open day', () => {
    const { spans, barsPerDay } = store(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(1000 + i), { lacking: [DAYS[4]!] }])));
    const market = findMarketDays(spans.values(), barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! });
    expect(market.closures).toEqual([DAYS[4]]);
    expect(market.openDays).toEqual(DAYS.filter((_, i) => i !== 4));
    expect(market.lastSession).toBe(DAYS.at(-1));
  });

  it('takes a day missing for 9 of 10 symbols as a closure, for 8 of 10 as a gap of each', () => {
    const lacking = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [String(1000 + i), { lacking: [DAYS[3]!] }]));
    const nine = ten(lacking(9));
    expect(findMarketDays(nine.spans.values(), nine.barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! }).closures).toEqual([DAYS[3]]);
    const eight = ten(lacking(8));
    expect(findMarketDays(eight.spans.values(), eight.barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! }).closures).toEqual([]);
  });

  it('expects a day only of the symbols listed by then', () => {
    // Five symbols listed on the 9th; the 6th missing for the five older ones only: all of those that should have it.
    const young = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [String(2000 + i), { days: DAYS.slice(5) }]));
    const old = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [String(1000 + i), { lacking: [DAYS[4]!] }]));
    const { spans, barsPerDay } = store({ ...young, ...old });
    expect(findMarketDays(spans.values(), barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! }).closures).toEqual([DAYS[4]]);
  });

  it('never takes the days after the newest busy day for closures: a stale store is lagging, not closed', () => {
    const { spans, barsPerDay } = ten(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(1000 + i), { days: DAYS.slice(0, 7) }])));
    const market = findMarketDays(spans.values(), barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! });
    expect(market.closures).toEqual([]);
    expect(market.lastSession).toBe(DAYS.at(-1));
  });

  it('needs three symbols to call a closure: one symbol lacking a day has a gap', () => {
    const { spans, barsPerDay } = store({ 2330: { lacking: [DAYS[4]!] } });
    expect(findMarketDays(spans.values(), barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! }).closures).toEqual([]);
  });

  it('skips the holidays given and judges against the latest trading day up to the last session', () => {
    const holidays = new Set([DAYS[4]!, DAYS[9]!]);
    const { spans, barsPerDay } = ten(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(1000 + i), { lacking: [DAYS[4]!, DAYS[9]!] }])));
    const market = findMarketDays(spans.values(), barsPerDay, { holidays, lastSession: DAYS[9]! });
    expect(market.closures).toEqual([]);
    expect(market.openDays).not.toContain(DAYS[4]);
    expect(market.lastSession).toBe(DAYS[8]);
  });
});

describe('judgeSymbols', () => {
  it('counts the open days missing inside each span, lagging symbols and those without bars', () => {
    const { spans, barsPerDay } = ten({ 1000: { lacking: [DAYS[2]!, DAYS[6]!] }, 1001: { days: DAYS.slice(0, 8) } });
    const market = findMarketDays(spans.values(), barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! });
    const judged = judgeSymbols(['1000', '1001', '1002', '9999'], spans, market, new Map());
    expect(judged).toEqual([
      { stock_code: '1000', upToDate: true, missing: 2 },
      { stock_code: '1001', upToDate: false, missing: 0 },
      { stock_code: '1002', upToDate: true, missing: 0 },
      { stock_code: '9999', upToDate: false, missing: 0 },
    ]);
  });

  it('leaves closures out of the gaps, and discounts a bar a symbol has on a closure day', () => {
    const closed = DAYS[5]!;
    const others = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(1001 + i), { lacking: [closed] }]));
    const { spans, barsPerDay } = store({ 1000: { lacking: [DAYS[2]!] }, ...others });
    const market = findMarketDays(spans.values(), barsPerDay, { holidays: noHolidays, lastSession: DAYS.at(-1)! });
    expect(market.closures).toEqual([closed]);
    expect(closedDaysWithBars(barsPerDay, market)).toEqual([closed]);
    const judged = judgeSymbols(['1000', '1001'], spans, market, new Map([['1000', 1]]));
    expect(judged.map((symbol) => symbol.missing)).toEqual([1, 0]);
  });
});

describe('closedDaysWithBars', () => {
  it('names the weekend and holiday days some symbol has a bar on', () => {
    const { spans, barsPerDay } = ten();
    barsPerDay.set('2026-11-07', 1); // a Saturday bar
    barsPerDay.set(DAYS[3]!, 10);
    const market = findMarketDays(spans.values(), barsPerDay, { holidays: new Set([DAYS[3]!]), lastSession: DAYS.at(-1)! });
    expect(closedDaysWithBars(barsPerDay, market)).toEqual([DAYS[3], '2026-11-07']);
  });
});

describe('missingDays', () => {
  it('lists the open days of a span that the stored days lack, up to a limit', () => {
    const market = { closures: [], openDays: DAYS, lastSession: DAYS.at(-1)! };
    const stored = DAYS.filter((_, i) => i !== 1 && i !== 3 && i !== 8);
    expect(missingDays(stored, DAYS[0]!, DAYS[7]!, market, 100)).toEqual([DAYS[1], DAYS[3]]);
    expect(missingDays(stored, DAYS[0]!, DAYS[9]!, market, 2)).toEqual([DAYS[1], DAYS[3]]);
  });
});
