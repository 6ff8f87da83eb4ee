import type { FormatReason } from '../errors.js';

/*
 * The hot loops of the djbcd parser. They read bytes straight from the payload
 * (no TextDecoder, no split) and parse numbers from char codes: this is what
 * makes a 1,440-bar payload parse at several hundred MB/s on one thread.
 *
 * A section is a run of bytes up to a separator; separators are whitespace and
 * `;` (seen as a trailing terminator). Inside a section tokens are split by `,`;
 * one `,` right before the section's end is a trailing separator, not a value.
 */

/** 1 for bytes that end a section: space, \t \n \v \f \r, and `;`. */
const SEPARATOR = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32, 59]) SEPARATOR[c] = 1;

const COMMA = 44;
const DOT = 46;
const DASH = 45;
const SLASH = 47;
const LESS_THAN = 60;

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
 * Reads the dates section starting at `pos` as yyyymmdd numbers (NaN when missing).
 * Returns the scratch array (reused between calls: copy out before the next call)
 * and the count; `cursor.pos` is left at the section's end.
 */
export function readDates(b: Uint8Array, pos: number): { dates: Float64Array; count: number } {
  const len = b.length;
  let count = 0;
  for (;;) {
    // Fast path for the common `YYYY/MM/DD`: fixed offsets, no per-byte branching.
    if (pos + 10 <= len && b[pos + 4] === SLASH && b[pos + 7] === SLASH) {
      const y1 = b[pos]! - 48;
      const y2 = b[pos + 1]! - 48;
      const y3 = b[pos + 2]! - 48;
      const y4 = b[pos + 3]! - 48;
      const m1 = b[pos + 5]! - 48;
      const m2 = b[pos + 6]! - 48;
      const d1 = b[pos + 8]! - 48;
      const d2 = b[pos + 9]! - 48;
      const next = pos + 10 < len ? b[pos + 10]! : COMMA;
      // OR-ing keeps a negative (sign bit) or a value above 9 visible: one test for all eight.
      if (((y1 | y2 | y3 | y4 | m1 | m2 | d1 | d2) >>> 0) <= 9 && (next === COMMA || SEPARATOR[next] === 1)) {
        if (count === dateScratch.length) growDateScratch();
        dateScratch[count++] =
          y1 * 10_000_000 + y2 * 1_000_000 + y3 * 100_000 + y4 * 10_000 + m1 * 1000 + m2 * 100 + d1 * 10 + d2;
        pos += 10;
        if (pos >= len || next !== COMMA) break;
        pos++;
        if (pos >= len || SEPARATOR[b[pos]!] === 1) break; // trailing comma
        continue;
      }
    }

    const tokenStart = pos;
    let part = 0;
    let partLen = 0;
    let slashes = 0;
    let dashes = 0;
    let year = 0;
    let yearLen = 0;
    let month = 0;
    let monthLen = 0;
    let c = 0;
    while (pos < len) {
      c = b[pos]!;
      const digit = c - 48;
      if (digit >= 0 && digit <= 9) {
        part = part * 10 + digit;
        partLen++;
      } else if (c === COMMA || SEPARATOR[c] === 1) {
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
      pos++;
    }

    let date: number;
    if (slashes === 0) {
      if (partLen === 0) date = NaN; // empty, `-` or `--`: a missing value
      else if (dashes > 0) throw new Malformed('bad_date', 0, tokenStart, pos);
      else if (partLen === 8) date = part;
      else if (partLen === 7 || partLen === 6) date = part + 19_110_000; // ROC year + 1911
      else throw new Malformed('bad_date', 0, tokenStart, pos);
    } else if (slashes === 2 && partLen >= 1 && partLen <= 2 && monthLen <= 2) {
      if (yearLen === 4) date = year * 10_000 + month * 100 + part;
      else if (yearLen === 2 || yearLen === 3) date = (year + 1911) * 10_000 + month * 100 + part;
      else throw new Malformed('bad_date', 0, tokenStart, pos);
    } else {
      throw new Malformed('bad_date', 0, tokenStart, pos);
    }

    if (count === dateScratch.length) growDateScratch();
    dateScratch[count++] = date;

    if (pos >= len || c !== COMMA) break;
    pos++;
    if (pos >= len || SEPARATOR[b[pos]!] === 1) break; // trailing comma
  }
  cursor.pos = pos;
  return { dates: dateScratch, count };
}

/**
 * Reads a numeric section starting at `pos` into `out[offset …]`, storing at most
 * `limit` values but counting (and checking) every token. Missing values (empty,
 * `-`, `--`) become NaN. Returns the token count; `cursor.pos` is left at the end.
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
  let count = 0;
  for (;;) {
    const tokenStart = pos;
    let dashes = 0;
    while (pos < len && b[pos] === DASH) {
      dashes++;
      pos++;
    }
    // Tight digit loops: one comparison per byte on the common path.
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
    const c = pos < len ? b[pos]! : COMMA;
    if (c !== COMMA && SEPARATOR[c] === 0) throw new Malformed('bad_number', section, tokenStart, tokenEnd(b, pos));

    let value: number;
    if (digits === 0) {
      if (dot) throw new Malformed('bad_number', section, tokenStart, pos);
      value = NaN; // empty, `-` or `--`: a missing value, never 0
    } else if (dashes > 1) {
      throw new Malformed('bad_number', section, tokenStart, pos);
    } else {
      // An integer mantissa ≤ 2^53 over an exact power of ten: one correctly rounded
      // division, so the result equals Number(token).
      value =
        fraction === 0 && mantissa <= Number.MAX_SAFE_INTEGER
          ? mantissa
          : mantissa <= Number.MAX_SAFE_INTEGER && fraction < POW10.length
            ? mantissa / POW10[fraction]!
            : slowNumber(b, integerStart, pos);
      if (dashes === 1) value = -value;
    }
    if (count < limit) out[offset + count] = value;
    count++;

    if (pos >= len || c !== COMMA) break;
    pos++;
    if (pos >= len || SEPARATOR[b[pos]!] === 1) break; // trailing comma
  }
  cursor.pos = pos;
  return count;
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

/** Numbers with more than 15–16 significant digits: rare, so the exact but slower route. */
function slowNumber(b: Uint8Array, start: number, end: number): number {
  return Number(String.fromCharCode(...b.subarray(start, end)));
}

function tokenEnd(b: Uint8Array, pos: number): number {
  const len = b.length;
  while (pos < len && b[pos] !== COMMA && SEPARATOR[b[pos]!] === 0) pos++;
  return pos;
}
