import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions } from './bench-options.js';

describe('parseBenchOptions', () => {
  it('runs every scenario by default, at 2,000 symbols, scale at 500 / 2,000 / 8,000', () => {
    const options = parseBenchOptions([]);
    expect(options.scenarios).toEqual(['backfill', 'nightly', 'polite', 'embedded', 'scale']);
    expect(options.server).toEqual(['backfill', 'nightly', 'polite']);
    expect(options.symbols).toBe(2000);
    expect(options.scaleSizes).toEqual([500, 2000, 8000]);
    expect(options.chart).toBe('test/bench/out/scale.svg');
  });

  it('brings the server backfill along with the embedded scenario (its ratio needs it)', () => {
    expect(parseBenchOptions(['--scenario', 'embedded']).scenarios).toEqual(['backfill', 'embedded']);
  });

  it.each([
    ['--scenario', 'nope'],
    ['--symbols', '0'],
    ['--runs', '1.5'],
    ['--scale-sizes', '2000,500'],
    ['--scale-sizes', '500'],
    ['--error-rate', '1'],
    ['--latency-ms', '-1'],
    ['--unknown'],
  ])('refuses %s %s', (...argv) => {
    expect(() => parseBenchOptions(argv.filter((a): a is string => a !== undefined))).toThrow(BenchUsageError);
  });
});
