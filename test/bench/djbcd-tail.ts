import { Buffer } from 'node:buffer';

const SPACE = 0x20;
const COMMA = 0x2c;

/** Where each section of a six-section djbcd body starts and ends: [start, end) pairs. */
export type SectionBounds = Array<[number, number]>;

/** The sections of a body (separated by one space, values by commas). */
export function sectionBounds(body: Buffer): SectionBounds {
  const bounds: SectionBounds = [];
  let start = 0;
  for (let space = body.indexOf(SPACE, start); space !== -1; space = body.indexOf(SPACE, start)) {
    bounds.push([start, space]);
    start = space + 1;
  }
  bounds.push([start, body.length]);
  return bounds;
}

/**
 * The body of the last `count` bars, cut from the full body without splitting it:
 * what the farm answers to an incremental request. Holding only the full bodies keeps
 * the farm's memory at their bytes (~65 kB a symbol), not millions of small strings.
 */
export function tailBody(body: Buffer, bounds: SectionBounds, count: number): Buffer {
  const parts: Buffer[] = [];
  for (const [start, end] of bounds) {
    let from = end;
    for (let found = 0; found < count; found += 1) {
      const comma = from <= start ? -1 : body.lastIndexOf(COMMA, from - 1);
      if (comma < start) {
        from = start;
        break;
      }
      from = comma;
    }
    if (parts.length > 0) parts.push(Buffer.from(' '));
    parts.push(body.subarray(from === start ? start : from + 1, end));
  }
  return Buffer.concat(parts);
}
