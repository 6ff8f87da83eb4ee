import { describe, expect, it } from 'vitest';
import { createLatencyRecord } from '../../src/mirrors/latency-record.js';

describe('latency record', () => {
  it('has no quantiles without samples', () => {
    const record = createLatencyRecord();
    expect(record.quantile(0.5)).toBeNull();
    expect(record.size).toBe(0);
  });

  it('gives nearest-rank quantiles, whatever the order of the samples', () => {
    const record = createLatencyRecord();
    for (const ms of [50, 10, 100, 30, 20, 90, 40, 80, 70, 60]) record.add(ms);
    expect(record.quantile(0.5)).toBe(50);
    expect(record.quantile(0.95)).toBe(100);
    expect(record.quantile(0.1)).toBe(10);
    expect(record.quantile(0)).toBe(10);
  });

  it('keeps only the latest samples past its capacity, in fixed memory', () => {
    const record = createLatencyRecord(4);
    for (const ms of [1000, 1000, 1000, 1, 2, 3, 4]) record.add(ms);
    expect(record.size).toBe(4);
    expect(record.quantile(1)).toBe(4);
  });

  it('rounds to a tenth of a millisecond and ignores what is not a time', () => {
    const record = createLatencyRecord();
    record.add(12.345);
    record.add(Number.NaN);
    record.add(-5);
    expect(record.size).toBe(2);
    expect(record.quantile(1)).toBe(12.3);
    expect(record.quantile(0.5)).toBe(0);
  });
});
