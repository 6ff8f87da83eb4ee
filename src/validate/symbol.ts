import { SymbolError } from '../errors.js';

/**
 * Taiwan symbols: 4–6 digits and an optional letter — 2330, 0050, 00878, 00631L,
 * 01001T, 1101B, 910322. The services this replaces kept 4 digits only and lost every ETF.
 */
export const SYMBOL_PATTERN = /^[0-9]{4,6}[A-Z]?$/;

const MAX_ECHO = 24;

/** Upper-cases and checks a symbol before it reaches a URL or SQL; throws SymbolError. */
export function normaliseSymbol(input: string): string {
  const symbol = input.trim().toUpperCase();
  if (SYMBOL_PATTERN.test(symbol)) return symbol;
  throw new SymbolError(input, `invalid symbol ${JSON.stringify(printable(input))}: expected 4–6 digits and an optional letter (e.g. 2330, 00631L)`);
}

/** Keeps error lines one line long and free of control characters, however hostile the input. */
function printable(input: string): string {
  const clean = input.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > MAX_ECHO ? `${clean.slice(0, MAX_ECHO)}…` : clean;
}
