import { describe, expect, it } from 'vitest';
import { instrumentTypeOf, parseSymbolTypes } from '../../src/market/instrument-type.js';
import { UsageError } from '../../src/errors.js';

describe('instrumentTypeOf', () => {
  it.each([
    ['ESVUFR', '股票', 'stock'],
    ['EPNRAR', '特別股', 'preferred'],
    ['CEOGEU', 'ETF', 'etf'],
    ['CEOGDU', 'ETF', 'etf'],
    ['EDSDDR', '臺灣存託憑證(TDR)', 'tdr'],
    ['RWSCCE', '上市認購(售)權證', 'warrant'],
    ['RWSPCE', '上櫃認購(售)權證', 'warrant'],
    ['DTZXXB', 'ETN', 'etn'],
    ['DBFTFB', '公司債', 'bond'],
    ['CBCIXU', '受益證券-不動產投資信託', 'other'],
    // The CFI code decides over the section; the section only fills in a missing code.
    ['ESVUFR', '臺灣創新板', 'stock'],
    ['', '股票', 'stock'],
    ['', '特別股', 'preferred'],
    ['', 'ETF', 'etf'],
    ['', '臺灣存託憑證(TDR)', 'tdr'],
    ['', '上市認購(售)權證', 'warrant'],
    ['', '受益證券-不動產投資信託', 'other'],
    ['esvufr', '', 'stock'],
  ])('%j in section %j is %s', (cfi, section, type) => {
    expect(instrumentTypeOf(cfi, section)).toBe(type);
  });
});

describe('parseSymbolTypes', () => {
  it('reads a comma-separated list, dropping repeats and blanks', () => {
    expect(parseSymbolTypes('stock,etf,preferred,tdr')).toEqual(['stock', 'etf', 'preferred', 'tdr']);
    expect(parseSymbolTypes(' ETF , stock,,etf ')).toEqual(['etf', 'stock']);
  });

  it.each(['', ' , ', 'stock,shares', 'stocks'])('refuses %j', (text) => {
    expect(() => parseSymbolTypes(text)).toThrow(UsageError);
  });
});
