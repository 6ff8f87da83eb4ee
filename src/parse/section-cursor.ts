import type { FormatReason } from '../errors.js';

/*
 * What the section readers share: the byte classes of the djbcd format, where the last
 * read stopped, and the problem they report.
 *
 * The readers are the parser's hot loops (dates in read-dates.ts, numbers in
 * read-numbers.ts): they read bytes straight from the payload (no TextDecoder, no split)
 * and parse numbers from char codes, which is what makes a 1,440-bar payload parse at
 * several hundred MB/s on one thread. Each has a fast path for the common token followed
 * by `,`, and hands every other token (signs, missing values, a section's last token, bad
 * input) to a per-token reader that starts again from the token's first byte.
 *
 * A section is a run of bytes up to a separator; separators are whitespace and
 * `;` (seen as a trailing terminator). Inside a section tokens are split by `,`;
 * one `,` right before the section's end is a trailing separator, not a value.
 */

/** 1 for bytes that end a section: space, \t \n \v \f \r, and `;`. */
export const SEPARATOR = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32, 59]) SEPARATOR[c] = 1;

// Each reader declares the byte codes it tests for itself: V8 folds a module's own
// constants into its loops, not imported ones (imported, the readers ran ~4x slower).
const COMMA = 44;

/** 1 for bytes that end a token: a separator or `,`. */
export const TERMINATOR = SEPARATOR.map((isSeparator, c) => (c === COMMA ? 1 : isSeparator));

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

/** Index of the first token terminator (`,` or a separator) at or after `pos` (or the end). */
export function tokenEnd(b: Uint8Array, pos: number): number {
  const len = b.length;
  while (pos < len && b[pos] !== COMMA && SEPARATOR[b[pos]!] === 0) pos++;
  return pos;
}
