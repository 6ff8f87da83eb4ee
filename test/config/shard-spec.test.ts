import { describe, expect, it } from 'vitest';
import { parseShard } from '../../src/config/shard-spec.js';
import { UsageError } from '../../src/errors.js';

function expectUsageError(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UsageError);
  expect((caught as UsageError).code).toBe('E_USAGE');
}

describe('parseShard', () => {
  it.each<[string, number, number]>([
    ['0/1', 0, 1],
    ['0/2', 0, 2],
    ['1/2', 1, 2],
    ['3/4', 3, 4],
    [' 2 / 8 ', 2, 8],
    ['07/10', 7, 10],
  ])('%j', (spec, index, count) => {
    expect(parseShard(spec)).toEqual({ index, count });
  });

  it.each(['3/2', '2/2', '-1/2', 'a/b', '0/0', '1', '1/', '/2', '1/2/3', '1.5/2', '', '0/10001', '0/99999999999'])('refuses %j', (spec) => {
    expectUsageError(() => parseShard(spec));
  });
});
