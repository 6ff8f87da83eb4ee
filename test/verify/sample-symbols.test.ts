import { describe, expect, it } from 'vitest';
import { sampleSymbols } from '../../src/verify/sample-symbols.js';
import { seeded } from '../support/seeded-random.js';
import { symbolRange } from '../support/bars.js';

describe('sampleSymbols', () => {
  it('draws the size asked, without repetition, sorted, from the symbols given', () => {
    const all = symbolRange(2000);
    const sample = sampleSymbols(all, 50, seeded(7));
    expect(sample).toHaveLength(50);
    expect(new Set(sample).size).toBe(50);
    expect([...sample].sort()).toEqual(sample);
    expect(sample.every((symbol) => all.includes(symbol))).toBe(true);
  });

  it('differs from one seed to another, and is the same for the same seed', () => {
    const all = symbolRange(2000);
    expect(sampleSymbols(all, 50, seeded(1))).toEqual(sampleSymbols(all, 50, seeded(1)));
    expect(sampleSymbols(all, 50, seeded(1))).not.toEqual(sampleSymbols(all, 50, seeded(2)));
  });

  it('takes everything when asked for more than there is, and nothing for 0', () => {
    expect(sampleSymbols(['2330', '2317', '2330'], 10, Math.random)).toEqual(['2317', '2330']);
    expect(sampleSymbols(['2330'], 0, Math.random)).toEqual([]);
  });
});
