import { transferableSymbol, valueSymbol } from 'piscina';
import { describe, expect, it } from 'vitest';
import parseTask, { type ParseTaskResult } from '../../src/parse/parse-worker.js';
import { readFixture } from '../support/fixtures.js';

/*
 * The entry point called directly, on this thread: what it hands Piscina decides
 * whether results cross by transfer and errors as plain data. parser-pool.test.ts
 * runs it in real worker threads.
 */
describe('parse-worker entry', () => {
  it('wraps a parsed series so Piscina transfers values.buffer', () => {
    const answer = parseTask({ bytes: new Uint8Array(readFixture('unsorted.djbcd')) }) as unknown as Record<symbol, unknown>;
    const result = answer[valueSymbol] as ParseTaskResult;
    expect(result).toMatchObject({ ok: true, count: 5, sections: 6 });
    if (!result.ok) throw new Error('unreachable');
    expect(result.values).toHaveLength(30);
    expect(answer[transferableSymbol]).toBe(result.values.buffer);
  });

  it('answers a FormatError as plain, cloneable data', () => {
    const answer = parseTask({ bytes: new Uint8Array(readFixture('blocked-page-big5.html')), charset: 'big5' });
    expect(answer).toEqual({
      ok: false,
      error: { reason: 'html', section: undefined, excerpt: expect.stringContaining('系統忙碌中'), message: expect.any(String) },
    });
    expect(structuredClone(answer)).toEqual(answer);
  });
});
