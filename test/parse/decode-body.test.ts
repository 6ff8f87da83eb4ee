import { describe, expect, it } from 'vitest';
import { decodeBody, decodeStrict } from '../../src/parse/decode-body.js';
import { readFixture } from '../support/fixtures.js';

/** 系統忙碌中 in big5 (as `iconv -f utf-8 -t big5` writes it). */
const BUSY_BIG5 = new Uint8Array([0xa8, 0x74, 0xb2, 0xce, 0xa6, 0xa3, 0xb8, 0x4c, 0xa4, 0xa4]);
const BUSY = '系統忙碌中';

describe('decodeBody', () => {
  it('reads a big5 page without a declared charset', () => {
    expect(decodeBody(BUSY_BIG5)).toBe(BUSY);
    expect(decodeBody(readFixture('blocked-page-big5.html'))).toContain('<title>系統忙碌中</title>');
  });

  it('uses the declared charset, whatever its case, and cp950 as big5', () => {
    for (const label of ['big5', 'BIG5', ' Big5 ', 'cp950', 'MS950']) expect(decodeBody(BUSY_BIG5, label)).toBe(BUSY);
  });

  it('falls back when the declared charset is unknown or does not fit', () => {
    expect(decodeBody(BUSY_BIG5, 'x-no-such-charset')).toBe(BUSY);
    expect(decodeBody(BUSY_BIG5, 'utf-8')).toBe(BUSY);
  });

  it('reads UTF-8 as UTF-8 even when the bytes would also pass as big5', () => {
    const utf8 = new TextEncoder().encode('股價 2330 台積電');
    expect(decodeStrict(utf8, 'big5')).toBeDefined(); // valid big5 too: mojibake if big5 went first
    expect(decodeBody(utf8)).toBe('股價 2330 台積電');
    expect(decodeBody(new TextEncoder().encode(BUSY))).toBe(BUSY);
  });

  it('drops a UTF-8 BOM and lets it outweigh a declared big5', () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(BUSY)]);
    expect(decodeBody(withBom)).toBe(BUSY);
    expect(decodeBody(withBom, 'big5')).toBe(BUSY);
  });

  it('decodes ASCII payloads unchanged', () => {
    expect(decodeBody(readFixture('five-sections.djbcd'), 'big5')).toBe(readFixture('five-sections.djbcd').toString('latin1'));
  });

  it('returns lenient UTF-8 for bytes no charset accepts; decodeStrict returns undefined', () => {
    // Not 0xff or a lone 0x80: Node's ICU big5 decoder drops those silently, even when fatal.
    const garbage = new Uint8Array([0x41, 0xfe, 0x80, 0x42]);
    expect(decodeStrict(garbage)).toBeUndefined();
    expect(decodeBody(garbage)).toBe('A\ufffd\ufffdB');
  });
});
