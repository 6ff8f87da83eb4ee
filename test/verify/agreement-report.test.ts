import { describe, expect, it } from 'vitest';
import { agreementPasses, agreementReport, type SymbolCheck } from '../../src/verify/agreement-report.js';
import { classifyWindow, type ClassifiedBar } from '../../src/verify/classify-window.js';
import { barSeries, weekdays } from '../support/bars.js';

const DAYS = weekdays('2026-11-02', 5);

/** The real classifier's verdicts for a symbol whose store differs from two mirrors on `differing` days. */
function classified(symbol: string, differing: readonly number[] = []): ClassifiedBar[] {
  const truth = barSeries(symbol, DAYS, 100);
  const stored = truth.map((bar, i) => (differing.includes(i) ? { ...bar, volume: bar.volume + 1 } : bar));
  const verdict = classifyWindow(stored, [{ broker: 'm0', bars: truth }, { broker: 'm1', bars: truth }], { canAsk: true });
  if (verdict.kind !== 'classified') throw new Error('expected a classification');
  return verdict.bars;
}

const checked = (symbol: string, differing: readonly number[] = [], extra: Partial<Extract<SymbolCheck, { status: 'checked' }>> = {}): SymbolCheck => ({
  status: 'checked',
  stock_code: symbol,
  bars: classified(symbol, differing),
  thirdAsked: false,
  repaired: new Set(),
  ...extra,
});

describe('agreementReport', () => {
  it('sums the classes over the symbols compared and lists the bars that did not agree, in symbol order', () => {
    const report = agreementReport([checked('2317', [1]), checked('2330'), { status: 'skipped', stock_code: '9999' }, checked('6505', [0, 4], { thirdAsked: true })]);
    expect(report).toMatchObject({ symbols: 3, bars_compared: 15, agree: 12, store_differs: 3, pct: 80, skipped: 1, failed: 0, third_mirror: 1, after_repair: null });
    expect(report.examples.map((example) => [example.stock_code, example.trade_date])).toEqual([
      ['2317', DAYS[1]],
      ['6505', DAYS[0]],
      ['6505', DAYS[4]],
    ]);
    expect(report.examples[0]!.mirrors.map((mirror) => mirror.broker)).toEqual(['m0', 'm1']);
  });

  it('counts symbols that could not be compared, and fails the check for them', () => {
    const report = agreementReport([checked('2330'), { status: 'failed', stock_code: '2317', code: 'E_ALL_MIRRORS_FAILED', message: 'every mirror failed' }]);
    expect(report).toMatchObject({ symbols: 1, failed: 1, failures: [{ stock_code: '2317', code: 'E_ALL_MIRRORS_FAILED' }], pct: 100 });
    expect(agreementPasses(report, 99.9)).toBe(false);
  });

  it('keeps what was found, and judges the store as repaired when a repair was made', () => {
    const report = agreementReport([checked('2330', [2], { repaired: new Set([DAYS[2]!]), recheck: classified('2330') }), checked('2317')]);
    expect(report).toMatchObject({ store_differs: 1, repaired: 1, pct: 90, after_repair: { store_differs: 0, agree: 10, pct: 100 } });
    expect(report.examples[0]!.repaired).toBe(true);
    expect(agreementPasses(report, 99.9)).toBe(true);
  });

  it('counts a failed repair write as a failure of its symbol', () => {
    const report = agreementReport([checked('2330', [2], { repairError: { code: 'E_DB_WRITE', message: 'refused' } })]);
    expect(report).toMatchObject({ symbols: 1, failed: 1, store_differs: 1, failures: [{ stock_code: '2330', code: 'E_DB_WRITE' }] });
  });
});
