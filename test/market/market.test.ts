import { describe, expect, it } from 'vitest';
import { marketNamed, parseSymbolSources } from '../../src/market/market.js';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_SYMBOL_SOURCES } from '../support/defaults.js';

describe('parseSymbolSources', () => {
  it('reads MARKET=URL pairs, markets in any letter case, URLs with their own = and ?', () => {
    expect(parseSymbolSources('TSE=https://isin.twse.com.tw/isin/C_public.jsp?strMode=2, tpex=http://127.0.0.1:8080/p?strMode=4&a=b')).toEqual([
      { market: 'TSE', url: 'https://isin.twse.com.tw/isin/C_public.jsp?strMode=2' },
      { market: 'TPEx', url: 'http://127.0.0.1:8080/p?strMode=4&a=b' },
    ]);
  });

  it('reads one market alone', () => {
    expect(parseSymbolSources('TPEx=https://example.test/4')).toEqual([{ market: 'TPEx', url: 'https://example.test/4' }]);
  });

  it('round-trips the defaults', () => {
    const text = DEFAULT_SYMBOL_SOURCES.map((source) => `${source.market}=${source.url}`).join(',');
    expect(parseSymbolSources(text)).toEqual(DEFAULT_SYMBOL_SOURCES);
  });

  it.each([
    '',
    'https://isin.twse.com.tw/isin/C_public.jsp?strMode=2',
    'NYSE=https://example.test',
    'TSE=ftp://example.test/page',
    'TSE=not a url',
    'TSE=https://a.test,TSE=https://b.test',
    '=https://a.test',
  ])('refuses %j', (text) => {
    expect(() => parseSymbolSources(text)).toThrow(UsageError);
  });
});

describe('marketNamed', () => {
  it('knows the two markets as the backend spells them', () => {
    expect(['TSE', 'tse', ' TPEx ', 'TPEX', 'OTC'].map(marketNamed)).toEqual(['TSE', 'TSE', 'TPEx', 'TPEx', undefined]);
  });
});
