import { cursor, Malformed, SEPARATOR, TERMINATOR, tokenEnd } from './section-cursor.js';

/*
 * The dates section, read straight from the payload's bytes (see section-cursor.ts): a fast
 * path for the common `YYYY/MM/DD,`, and a per-token reader for every other form.
 */

// Declared here, not imported: V8 folds a module's own constants into its loops (see section-cursor.ts).
const COMMA = 44;
const DASH = 45;
const SLASH = 47;

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

