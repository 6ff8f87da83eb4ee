import { Buffer } from 'node:buffer';
import type { FormatReason } from '../errors.js';

/*
 * The hot loops of the djbcd parser. They read bytes straight from the payload
 * (no TextDecoder, no split) and parse numbers from char codes: this is what
 * makes a 1,440-bar payload parse at several hundred MB/s on one thread.
 *
 * A section is a run of bytes up to a separator; separators are whitespace and
 * `;` (seen as a trailing terminator). Inside a section tokens are split by `,`;
 * one `,` right before the section's end is a trailing separator, not a value.
 *
 * Each section reader has a fast path for the common token followed by `,`, and
 * hands every other token (signs, missing values, a section's last token, bad
 * input) to a per-token reader that starts again from the token's first byte.
 */

/** 1 for bytes that end a section: space, \t \n \v \f \r, and `;`. */
const SEPARATOR = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32, 59]) SEPARATOR[c] = 1;

const COMMA = 44;
const DOT = 46;
const DASH = 45;
const SLASH = 47;
const LESS_THAN = 60;

/** 1 for bytes that end a token: a separator or `,`. */
const TERMINATOR = SEPARATOR.map((isSeparator, c) => (c === COMMA ? 1 : isSeparator));

/** Powers of ten that are exact doubles; dividing an exact mantissa by one is correctly rounded. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

/** A problem found by the fast path; parse-djbcd turns it into a FormatError (or "no data"). */
export class Malformed {
  constructor(
    readonly reason: FormatReason,
    /** 0-based section index. */
    readonly section: number,
    /** Byte range to quote: the token, or the whole section. */
    readonly start: number,
    readonly end: number,
    /** What was expected, for the message (counts, for length problems). */
    readonly detail = '',
  ) {}
}

/** Where the read of the last section stopped (the first byte after it). */
export const cursor = { pos: 0 };

/** Index of the first byte at or after `pos` that is not a separator. */
export function skipSeparators(b: Uint8Array, pos: number): number {
  const len = b.length;
  while (pos < len && SEPARATOR[b[pos]!] === 1) pos++;
  return pos;
}

/** Index of the first separator at or after `pos` (or the end). */
export function sectionEnd(b: Uint8Array, pos: number): number {
  const len = b.length;
  while (pos < len && SEPARATOR[b[pos]!] === 0) pos++;
  return pos;
}

let dateScratch = new Float64Array(2048);

function growDateScratch(): void {
  const grown = new Float64Array(dateScratch.length * 2);
  grown.set(dateScratch);
  dateScratch = grown;
}

/**
 * Reads the dates section starting at `pos` (its first byte, not a separator) as
 * yyyymmdd numbers (NaN when missing).
 * Returns the scratch array (reused between calls: copy out before the next call)
 * and the count; `cursor.pos` is left at the section's end.
 */
export function readDates(b: Uint8Array, pos: number): { dates: Float64Array; count: number } {
  const len = b.length;
  let count = 0;
  for (;;) {
    // Fast path for the common `YYYY/MM/DD,`: fixed offsets, no per-byte branching.
    if (pos + 11 <= len && b[pos + 4] === SLASH && b[pos + 7] === SLASH && b[pos + 10] === COMMA) {
      const y1 = b[pos]! - 48;
      const y2 = b[pos + 1]! - 48;
      const y3 = b[pos + 2]! - 48;
      const y4 = b[pos + 3]! - 48;
      const m1 = b[pos + 5]! - 48;
      const m2 = b[pos + 6]! - 48;
      const d1 = b[pos + 8]! - 48;
      const d2 = b[pos + 9]! - 48;
      // A value is 0–9 when neither it nor it + 6 leaves the low four bits (a
      // negative one sets them all): one test for all eight. OR-ing the values
      // alone would not do: 2 | 8 is 10, and a third of real dates missed this path.
      const spread =
        y1 | (y1 + 6) | y2 | (y2 + 6) | y3 | (y3 + 6) | y4 | (y4 + 6) | m1 | (m1 + 6) | m2 | (m2 + 6) | d1 | (d1 + 6) | d2 | (d2 + 6);
      if ((spread & ~15) === 0) {
        if (count === dateScratch.length) growDateScratch();
        dateScratch[count++] =
          y1 * 10_000_000 + y2 * 1_000_000 + y3 * 100_000 + y4 * 10_000 + m1 * 1000 + m2 * 100 + d1 * 10 + d2;
        pos += 11;
        continue;
      }
    }
    // Only ever right after a comma: a separator or the end of the body here makes it a trailing one.
    if (pos >= len || SEPARATOR[b[pos]!] === 1) break;
    const date = readAnyDate(b, pos);
    pos = cursor.pos;
    if (count === dateScratch.length) growDateScratch();
    dateScratch[count++] = date;
    if (pos >= len || b[pos] !== COMMA) break;
    pos++;
  }
  cursor.pos = pos;
  return { dates: dateScratch, count };
}

/**
 * Reads any one date token at `pos`, byte by byte. Returns it as yyyymmdd (NaN when
 * missing); `cursor.pos` is left on the byte after it.
 */
function readAnyDate(b: Uint8Array, pos: number): number {
  const len = b.length;
  const tokenStart = pos;
  let part = 0;
  let partLen = 0;
  let slashes = 0;
  let dashes = 0;
  let year = 0;
  let yearLen = 0;
  let month = 0;
  let monthLen = 0;
  for (; pos < len; pos++) {
    const c = b[pos]!;
    const digit = c - 48;
    if (digit >= 0 && digit <= 9) {
      part = part * 10 + digit;
      partLen++;
    } else if (TERMINATOR[c] === 1) {
      break;
    } else if (c === SLASH && slashes < 2 && partLen > 0 && dashes === 0) {
      if (slashes === 0) {
        year = part;
        yearLen = partLen;
      } else {
        month = part;
        monthLen = partLen;
      }
      slashes++;
      part = 0;
      partLen = 0;
    } else if (c === DASH && partLen === 0 && slashes === 0) {
      dashes++;
    } else {
      throw new Malformed('bad_date', 0, tokenStart, tokenEnd(b, pos));
    }
  }
  cursor.pos = pos;

  if (slashes === 0) {
    if (partLen === 0) return NaN; // empty, `-` or `--`: a missing value
    if (dashes > 0) throw new Malformed('bad_date', 0, tokenStart, pos);
    if (partLen === 8) return part;
    if (partLen === 7 || partLen === 6) return part + 19_110_000; // ROC year + 1911
    throw new Malformed('bad_date', 0, tokenStart, pos);
  }
  if (slashes === 2 && partLen >= 1 && partLen <= 2 && monthLen <= 2) {
    if (yearLen === 4) return year * 10_000 + month * 100 + part;
    if (yearLen === 2 || yearLen === 3) return (year + 1911) * 10_000 + month * 100 + part;
  }
  throw new Malformed('bad_date', 0, tokenStart, pos);
}

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

function tokenEnd(b: Uint8Array, pos: number): number {
  const len = b.length;
  while (pos < len && b[pos] !== COMMA && SEPARATOR[b[pos]!] === 0) pos++;
  return pos;
}
