import { describe, expect, it } from 'vitest';
import { SymbolError } from '../../src/errors.js';
import { normaliseSymbol } from '../../src/validate/symbol.js';

describe('normaliseSymbol', () => {
  it.each(['2330', '0050', '00878', '00631L', '01001T', '1101B', '910322'])('accepts %s', (symbol) => {
    expect(normaliseSymbol(symbol)).toBe(symbol);
  });

  it('upper-cases and trims', () => {
    expect(normaliseSymbol(' 00631l ')).toBe('00631L');
  });

  it.each(['', '233', '1234567', '2330AB', "2330' OR '1'='1", '../2330', '2330%0d%0a', '2330\r\nX-Injected: 1', 'x'.repeat(10_000)])(
    'rejects %j before it reaches a URL or SQL',
    (symbol) => {
      const error = (() => {
        try {
          normaliseSymbol(symbol);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(SymbolError);
      expect((error as SymbolError).code).toBe('E_SYMBOL');
      const message = (error as SymbolError).message;
      expect(message).not.toMatch(/[\r\n]/);
      expect(message.length).toBeLessThan(200);
    },
  );
});
