import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_MIRRORS, normaliseMirrors, parseMirrorList } from '../../src/mirrors/mirror-list.js';

function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('E_USAGE');
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('DEFAULT_MIRRORS', () => {
  it('lists the eight mirrors with unique names and normalised URLs', () => {
    expect(DEFAULT_MIRRORS.map((m) => m.name)).toEqual([
      'fubon',
      'moneydj',
      'yuanta',
      'emega',
      'fubonfund',
      'esun',
      'kgi',
      'masterlink',
    ]);
    for (const mirror of DEFAULT_MIRRORS) expect(new URL(mirror.baseUrl).href).toBe(mirror.baseUrl);
    expect(DEFAULT_MIRRORS.find((m) => m.name === 'esun')?.baseUrl).toBe('https://sjmain.esunsec.com.tw/');
  });

  it('round-trips through the BROKER_URLS format', () => {
    const spec = DEFAULT_MIRRORS.map((m) => `${m.name}=${m.baseUrl}`).join(',');
    expect(parseMirrorList(spec)).toEqual(DEFAULT_MIRRORS);
  });
});

describe('parseMirrorList', () => {
  it('takes name=url and bare URLs, trims, and adds the trailing slash', () => {
    expect(parseMirrorList(' a=http://127.0.0.1:8001 , http://fubon-ebrokerdj.fbs.com.tw/,https://www.example.com/prefix')).toEqual([
      { name: 'a', baseUrl: 'http://127.0.0.1:8001/' },
      { name: 'fubon-ebrokerdj', baseUrl: 'http://fubon-ebrokerdj.fbs.com.tw/' },
      { name: 'example', baseUrl: 'https://www.example.com/prefix/' },
    ]);
  });

  it('names IP mirrors by host and port, and makes derived names unique', () => {
    expect(parseMirrorList('http://127.0.0.1:8001/,http://127.0.0.1:8002/').map((m) => m.name)).toEqual([
      '127.0.0.1:8001',
      '127.0.0.1:8002',
    ]);
    expect(parseMirrorList('http://a.x.com/,http://a.y.com/,a-2=http://b.com/,http://a.z.com/').map((m) => m.name)).toEqual([
      'a',
      'a-3',
      'a-2',
      'a-4',
    ]);
  });

  it('ignores empty entries such as a trailing comma', () => {
    expect(parseMirrorList('http://a.com,,http://b.com,')).toHaveLength(2);
  });

  it.each([
    ['', 'empty list'],
    [' , ,', 'only separators'],
    ['not a url', 'not a URL'],
    ['ftp://mirror.example/', 'not http(s)'],
    ['x=file:///etc/passwd', 'not http(s), named'],
    ['http://user:pw@mirror.example/', 'credentials'],
    ['http://mirror.example/?a=1', 'a query'],
    ['bad name=http://mirror.example/', 'a name with a space'],
    ['a=http://one.example/,a=http://two.example/', 'a repeated name'],
    ['http://one.example/,http://one.example', 'a repeated URL'],
  ])('rejects %j (%s) with a UsageError', (spec) => {
    usageErrorOf(() => parseMirrorList(spec));
  });

  it('names the bad entry in the message', () => {
    expect(usageErrorOf(() => parseMirrorList('http://ok.example/,gopher://bad.example/')).message).toContain(
      'gopher://bad.example/',
    );
  });
});

describe('normaliseMirrors', () => {
  it('accepts strings and {name?, url} objects from a config file', () => {
    expect(
      normaliseMirrors(['one=http://one.example', { url: 'http://www.two.example' }, { name: 'three', url: 'https://3.example/x/' }]),
    ).toEqual([
      { name: 'one', baseUrl: 'http://one.example/' },
      { name: 'two', baseUrl: 'http://www.two.example/' },
      { name: 'three', baseUrl: 'https://3.example/x/' },
    ]);
  });

  it('rejects an empty array and bad objects', () => {
    usageErrorOf(() => normaliseMirrors([]));
    usageErrorOf(() => normaliseMirrors([{ url: 'mailto:x@example.com' }]));
    usageErrorOf(() => normaliseMirrors([{ name: 'x'.repeat(51), url: 'http://example.com' }]));
  });
});
