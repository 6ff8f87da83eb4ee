import { Buffer } from 'node:buffer';
import type { FormatError } from '../errors.js';
import type { DailySeries } from '../core/daily-series.js';
import { bodyStart, explainFailure, sectionName } from './explain-failure.js';
import { readDates } from './read-dates.js';
import { countTokens, readNumbers } from './read-numbers.js';
import { cursor, Malformed, skipSeparators } from './section-cursor.js';
import { sortByDate } from './sort-by-date.js';

/** Sections every payload with bars must have: dates, opens, highs, lows, closes, volumes. */
const REQUIRED_SECTIONS = 6;

/** Options for {@link parseDjbcd}. */
export interface ParseOptions {
  /** The charset the server declared (Content-Type), used only to quote a bad body readably. */
  charset?: string;
}

/**
 * Parses a `czkc1.djbcd` body into a columnar {@link DailySeries}, rows sorted by date
 * (stable; duplicate dates are kept for the validator to collapse).
 *
 * Dates become yyyymmdd numbers: `2019/10/16`, ROC `106/05/02` or `98/10/23`, compact
 * ROC `1150828` or `981023`, compact Gregorian `20240102`. The calendar is not checked
 * here (`2023/02/30` → 20230230). Missing values (`--`, `-`, an empty token) become NaN.
 * Sections after the sixth (23-section form) are length-checked, not read. A row whose
 * date is missing sorts last (the validator rejects it).
 *
 * An empty body, or a single section (an unknown symbol), is "no data": `count` 0.
 * @throws FormatError for a page (`html`), garbage (`binary`), 2–5 sections, sections of
 *   different lengths, a cut transfer (`truncated`: the last section is shorter than the
 *   dates; this wins over `too_few_sections`), or a token that is no number or date.
 */
export function parseDjbcd(bytes: Uint8Array, options: ParseOptions = {}): DailySeries {
  try {
    return parseOrStop(bytes);
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    const explained: FormatError | null = explainFailure(bytes, error, options.charset);
    if (explained === null) return noData(1);
    throw explained;
  }
}

/**
 * An exactly sized array over a buffer of its own (it is transferred whole out of
 * the worker), left unzeroed: zero-filling cost more than 2% of a parse. Safe because
 * a series is returned only once every section has written every one of its cells.
 */
function uninitializedValues(length: number): Float64Array {
  const bytes = Buffer.allocUnsafeSlow(length * Float64Array.BYTES_PER_ELEMENT);
  return new Float64Array(bytes.buffer, bytes.byteOffset, length);
}

function noData(sections: number): DailySeries {
  return { count: 0, values: new Float64Array(0), sections };
}

function parseOrStop(b: Uint8Array): DailySeries {
  const len = b.length;
  let pos = skipSeparators(b, bodyStart(b));
  if (pos >= len) return noData(0);

  const { dates, count } = readDates(b, pos);
  pos = skipSeparators(b, cursor.pos);
  if (pos >= len) return noData(1);

  const values = uninitializedValues(count * REQUIRED_SECTIONS);
  values.set(dates.subarray(0, count));

  let section = 1;
  while (pos < len) {
    const start = pos;
    const found =
      section < REQUIRED_SECTIONS
        ? readNumbers(b, pos, values, section * count, count, section)
        : countTokens(b, pos, section);
    const end = cursor.pos;
    pos = skipSeparators(b, end);
    if (found !== count) {
      const detail = `${found} values where the dates have ${count}`;
      // A transfer cut short leaves its last section short (and maybe sections missing).
      const reason = found < count && pos >= len ? 'truncated' : 'unequal_length';
      throw new Malformed(reason, section, start, end, detail);
    }
    section++;
  }
  if (section < REQUIRED_SECTIONS) {
    throw new Malformed(
      'too_few_sections',
      section,
      bodyStart(b),
      Math.min(len, bodyStart(b) + 80),
      `${section} sections where ${REQUIRED_SECTIONS} are needed (no ${sectionName(section)})`,
    );
  }
  return sortByDate({ count, values, sections: section });
}
