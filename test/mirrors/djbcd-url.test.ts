import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildDjbcdUrl, djbcdSearch, requestHeaders } from '../../src/mirrors/djbcd-url.js';
import { charsetOf, contentLengthOf, isTransientStatus, parseRetryAfter } from '../../src/mirrors/response-headers.js';
import { DEFAULT_QUERY, DEFAULT_USER_AGENT } from '../support/defaults.js';

const fubon = { name: 'fubon', baseUrl: 'http://fubon-ebrokerdj.fbs.com.tw/' };

describe('buildDjbcdUrl', () => {
  it('builds the endpoint the Python service used', () => {
    expect(buildDjbcdUrl(fubon, '2330', DEFAULT_QUERY).href).toBe(
      'http://fubon-ebrokerdj.fbs.com.tw/z/BCD/czkc1.djbcd?a=2330&b=A&c=2880&E=1&ver=5',
    );
  });

  it('keeps a base path prefix and takes a configured query', () => {
    const url = buildDjbcdUrl({ name: 'p', baseUrl: 'http://proxy.example/dj/' }, '00631L', {
      series: 'D',
      count: 100,
      extra: { E: '1', ver: '5', x: 'a b&c' },
    });
    expect(url.pathname).toBe('/dj/z/BCD/czkc1.djbcd');
    expect([...url.searchParams]).toEqual([
      ['a', '00631L'],
      ['b', 'D'],
      ['c', '100'],
      ['E', '1'],
      ['ver', '5'],
      ['x', 'a b&c'],
    ]);
  });

  it('form-encodes every parameter exactly as URLSearchParams does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.nat(), fc.dictionary(fc.string(), fc.string()), (symbol, series, count, extra) => {
        const expected = new URLSearchParams([['a', symbol], ['b', series], ['c', String(count)], ...Object.entries(extra)]).toString();
        expect(djbcdSearch(symbol, { series, count, extra })).toBe(expected);
      }),
    );
  });

  it('encodes the symbol rather than splicing it', () => {
    expect(buildDjbcdUrl(fubon, '1&b=X', DEFAULT_QUERY).searchParams.getAll('b')).toEqual(['A']);
  });
});

describe('requestHeaders', () => {
  it('looks like a browser coming from the mirror itself', () => {
    const headers = requestHeaders(fubon, DEFAULT_USER_AGENT);
    expect(headers['user-agent']).toMatch(/^Mozilla\/5\.0 .*Chrome\/\d+/);
    expect(headers['accept-language']).toMatch(/^zh-TW\b/);
    expect(headers.referer).toBe('http://fubon-ebrokerdj.fbs.com.tw/');
    expect(headers.accept).toContain('text/html');
  });
});

describe('response headers', () => {
  const now = Date.parse('2025-01-02T03:04:05Z');

  it('reads Retry-After as seconds or as an HTTP-date', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:04:35 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
    for (const bad of [undefined, '', '-1', '1.5', 'soon', '5 s']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });

  it('reads the declared charset', () => {
    expect(charsetOf('text/html; charset=big5')).toBe('big5');
    expect(charsetOf('text/plain;Charset="UTF-8"')).toBe('utf-8');
    expect(charsetOf('text/html')).toBeUndefined();
    expect(charsetOf(undefined)).toBeUndefined();
  });

  it('reads Content-Length only when it is a plain number', () => {
    expect(contentLengthOf('123')).toBe(123);
    expect(contentLengthOf('12x')).toBeUndefined();
    expect(contentLengthOf(undefined)).toBeUndefined();
  });

  it('treats 408, 429 and 5xx as transient, other statuses not', () => {
    expect([408, 429, 500, 502, 503, 504, 599].every(isTransientStatus)).toBe(true);
    expect([301, 400, 401, 403, 404, 410].some(isTransientStatus)).toBe(false);
  });
});
