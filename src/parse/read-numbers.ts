import { Buffer } from 'node:buffer';
import { cursor, Malformed, SEPARATOR, sectionEnd, TERMINATOR, tokenEnd } from './section-cursor.js';

/*
 * The numeric sections, read straight from the payload's bytes (see section-cursor.ts): a
 * fast path for the common plain token and its comma, and a per-token reader for signs,
 * missing values, a section's last token and bad input.
 */

// Declared here, not imported: V8 folds a module's own constants into its loops (see section-cursor.ts).
const COMMA = 44;
const DOT = 46;
const DASH = 45;
const LESS_THAN = 60;

/** Powers of ten that are exact doubles; dividing an exact mantissa by one is correctly rounded. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Reads a numeric section starting at `pos` (its first byte, not a separator) into
 * `out[offset …]`, storing at most `limit` values but counting (and checking) every
 * token. Missing values (empty, `-`, `--`) become NaN. Returns the token count;
 * `cursor.pos` is left at the end.
 */
export function readNumbers(
  b: Uint8Array,
  pos: number,
  out: Float64Array,
  offset: number,
  limit: number,
  section: number,
): number {
  const len = b.length;
  const guard = lastTerminator(b);
  let count = 0;
  for (;;) {
    if (pos < guard) {
      // Fast path for the common plain token and its comma, `471.5,` or `56245,`.
      // Every digit run stops at the guard at the latest, so these loops need no
      // bounds test. Anything else goes the general way below, from the token's start.
      const tokenStart = pos;
      let mantissa = 0;
      let digit = b[pos]! - 48;
      while (digit >>> 0 <= 9) {
        mantissa = mantissa * 10 + digit;
        digit = b[++pos]! - 48;
      }
      let digits = pos - tokenStart;
      let fraction = 0;
      if (digit === DOT - 48) {
        const fractionStart = ++pos;
        digit = b[pos]! - 48;
        while (digit >>> 0 <= 9) {
          mantissa = mantissa * 10 + digit;
          digit = b[++pos]! - 48;
        }
        fraction = pos - fractionStart;
        digits += fraction;
      }
      // A mantissa ≤ 2^53 is exact (a longer one hands over, as its running value
      // may have rounded); over an exact power of ten, one correctly rounded
      // division gives what Number(token) gives.
      if (digit === COMMA - 48 && digits > 0 && mantissa <= Number.MAX_SAFE_INTEGER && fraction < POW10.length) {
        if (count < limit) out[offset + count] = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
        count++;
        pos++;
        continue;
      }
      pos = tokenStart;
    }
    // Only ever right after a comma: a separator or the end of the body here makes it a trailing one.
    if (pos >= len || SEPARATOR[b[pos]!] === 1) break;
    const value = readAnyNumber(b, pos, section);
    pos = cursor.pos;
    if (count < limit) out[offset + count] = value;
    count++;
    if (pos >= len || b[pos] !== COMMA) break;
    pos++;
  }
  cursor.pos = pos;
  return count;
}

/**
 * Reads any one number token at `pos`, byte by byte. Returns its value; `cursor.pos`
 * is left on the byte after it.
 */
function readAnyNumber(b: Uint8Array, pos: number, section: number): number {
  const len = b.length;
  const tokenStart = pos;
  let dashes = 0;
  while (pos < len && b[pos] === DASH) {
    dashes++;
    pos++;
  }
  let mantissa = 0;
  const integerStart = pos;
  while (pos < len) {
    const digit = b[pos]! - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    pos++;
  }
  let digits = pos - integerStart;
  let fraction = 0;
  let dot = false;
  if (pos < len && b[pos] === DOT) {
    dot = true;
    const fractionStart = ++pos;
    while (pos < len) {
      const digit = b[pos]! - 48;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      pos++;
    }
    fraction = pos - fractionStart;
    digits += fraction;
  }
  if (pos < len && TERMINATOR[b[pos]!] === 0) throw new Malformed('bad_number', section, tokenStart, tokenEnd(b, pos));
  cursor.pos = pos;

  if (digits === 0) {
    if (dot) throw new Malformed('bad_number', section, tokenStart, pos);
    return NaN; // empty, `-` or `--`: a missing value, never 0
  }
  if (dashes > 1) throw new Malformed('bad_number', section, tokenStart, pos);
  // An integer mantissa ≤ 2^53 over an exact power of ten: one correctly rounded
  // division, so the result equals Number(token).
  const value =
    fraction === 0 && mantissa <= Number.MAX_SAFE_INTEGER
      ? mantissa
      : mantissa <= Number.MAX_SAFE_INTEGER && fraction < POW10.length
        ? mantissa / POW10[fraction]!
        : slowNumber(b, integerStart, pos);
  return dashes === 1 ? -value : value;
}

/**
 * Counts the tokens of a section whose values are not used (the 23-section form's
 * extras). Their content is not checked beyond being printable ASCII without `<`,
 * so that pages and binary garbage are still caught.
 */
export function countTokens(b: Uint8Array, pos: number, section: number): number {
  const len = b.length;
  const start = pos;
  let commas = 0;
  for (; pos < len; pos++) {
    const c = b[pos]!;
    if (SEPARATOR[c] === 1) break;
    if (c === COMMA) commas++;
    else if (c < 32 || c > 126 || c === LESS_THAN) throw new Malformed('bad_number', section, start, sectionEnd(b, pos));
  }
  cursor.pos = pos;
  return b[pos - 1] === COMMA ? commas : commas + 1;
}

/** Index of the last token terminator in the body, or -1. */
function lastTerminator(b: Uint8Array): number {
  let pos = b.length - 1;
  while (pos >= 0 && TERMINATOR[b[pos]!] === 0) pos--;
  return pos;
}

/** Numbers with more than 15–16 significant digits: rare, so the exact but slower route. */
function slowNumber(b: Uint8Array, start: number, end: number): number {
  // latin1, not String.fromCharCode(...bytes): spreading a token of 100,000+ digits (a
  // hostile body within the size cap) would overflow the call stack.
  return Number(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1'));
}
