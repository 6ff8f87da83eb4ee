import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { column } from '../../src/core/daily-series.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';

/*
 * The token grammar written as regular expressions, checked against the byte scanner
 * on random tokens. The scanner reads common tokens through fixed-width fast paths
 * that need some bytes after the token, and falls back to a per-byte reader
 * elsewhere (near the end of the body, long or odd tokens): sections of random
 * length in the middle and at the end of the body cover both.
 */

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A number as Number() reads it, NaN for a missing value, undefined for a bad token. */
function expectedNumber(token: string): number | undefined {
  if (/^-*$/.test(token)) return NaN;
  if (/^-?(\d+\.?\d*|\.\d+)$/.test(token)) return Number(token);
  return undefined;
}

/** yyyymmdd, NaN for a missing date, undefined for a bad token. */
function expectedDate(token: string): number | undefined {
  if (/^-*$/.test(token)) return NaN;
  if (/^\d{8}$/.test(token)) return Number(token);
  if (/^\d{6,7}$/.test(token)) return Number(token) + 19_110_000;
  const slashed = /^(\d{2,4})\/(\d{1,2})\/(\d{1,2})$/.exec(token);
  if (slashed === null) return undefined;
  const [year, month, day] = slashed.slice(1).map(Number) as [number, number, number];
  return (slashed[1]!.length === 4 ? year : year + 1911) * 10_000 + month * 100 + day;
}

const tokenOf = (chars: string, weights: Record<string, number>, maxLength: number) =>
  fc.string({
    unit: fc.oneof(...[...chars].map((c) => ({ arbitrary: fc.constant(c), weight: weights[c] ?? 1 }))),
    maxLength,
  });

const numberToken = fc.oneof(
  { arbitrary: tokenOf('0123456789.-e+x', { '.': 3, '-': 2, ...Object.fromEntries([...'0123456789'].map((d) => [d, 6])) }, 12), weight: 4 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 99_999_999 }).map((n) => `${n / 10 ** (n % 5)}`), weight: 2 },
);

const dateToken = fc.oneof(
  { arbitrary: tokenOf('0123456789/-x', { '/': 3, '-': 1, ...Object.fromEntries([...'0123456789'].map((d) => [d, 6])) }, 12), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 2099 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.boolean())
      .map(([y, m, d, pad]) => (pad ? `${y}/${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}` : `${y}/${m}/${d}`)),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 0, max: 99_999_999 }).map(String), weight: 1 },
);

/** A section's tokens; the last one is never empty, which would read as a trailing comma. */
const sectionOf = (token: fc.Arbitrary<string>) =>
  fc.array(token, { minLength: 1, maxLength: 40 }).map((tokens) => (tokens.at(-1) === '' ? [...tokens.slice(0, -1), '7'] : tokens));

function formatErrorOf(bytes: Uint8Array): FormatError {
  try {
    parseDjbcd(bytes);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

function checkNumberSection(tokens: string[], index: number, trailer: string): void {
  const names = ['opens', 'highs', 'lows', 'closes', 'volumes'];
  const filler = tokens.map(() => '1').join(',');
  const dates = tokens.map(() => '2024/01/02').join(',');
  const sections = names.map((_, i) => (i === index ? tokens.join(',') : filler));
  const bytes = ascii(`${dates} ${sections.join(' ')}${trailer}`);
  const expected = tokens.map(expectedNumber);
  const bad = expected.indexOf(undefined);
  if (bad >= 0) {
    const error = formatErrorOf(bytes);
    expect([error.reason, error.section, error.excerpt]).toEqual(['bad_number', names[index], tokens[bad]]);
    return;
  }
  const values = column(parseDjbcd(bytes), names[index]!.slice(0, -1) as 'open');
  expected.forEach((value, i) => {
    if (!Object.is(values[i], value)) expect.fail(`${JSON.stringify(tokens[i])}: ${values[i]} where ${value} was expected`);
  });
}

describe('parseDjbcd: the token grammar', () => {
  it('reads `5.` and `.5`, and rejects a lone `.`, mid-section as at its end', () => {
    const long = Array.from({ length: 20 }, (_, i) => String(i)).join(',');
    checkNumberSection(['5.', '.5', ...long.split(',')], 0, '');
    checkNumberSection([...long.split(','), '5.', '.5'], 0, '');
    checkNumberSection(['1', '.', ...long.split(',')], 0, '');
    checkNumberSection([...long.split(','), '.'], 4, '');
  });

  it('reads numbers as Number() does, missing values as NaN, and rejects the rest, in the middle of the body', () => {
    fc.assert(fc.property(sectionOf(numberToken), (tokens) => checkNumberSection(tokens, 0, '')), { numRuns: 400 });
  });

  it('does the same in the last section, up to the end of the body', () => {
    const trailer = fc.constantFrom('', ',', ';', '\r\n', ' ');
    fc.assert(fc.property(sectionOf(numberToken), trailer, (tokens, end) => checkNumberSection(tokens, 4, end)), { numRuns: 400 });
  });

  it('reads every date form, and rejects the rest', () => {
    fc.assert(
      fc.property(sectionOf(dateToken), (tokens) => {
        const order = tokens.map((_, i) => i).join(',');
        const bytes = ascii(`${tokens.join(',')} ${order} ${order} ${order} ${order} ${order}`);
        const expected = tokens.map(expectedDate);
        const bad = expected.indexOf(undefined);
        if (bad >= 0) {
          const error = formatErrorOf(bytes);
          expect([error.reason, error.section, error.excerpt]).toEqual(['bad_date', 'dates', tokens[bad]]);
          return;
        }
        // Rows come back sorted by date, missing ones last, stably; the opens column
        // says which token each row came from.
        const series = parseDjbcd(bytes);
        const dates = column(series, 'date');
        const origins = column(series, 'open');
        origins.forEach((from, row) => {
          if (!Object.is(dates[row], expected[from]!)) expect.fail(`${tokens[from]}: ${dates[row]} where ${expected[from]} was expected`);
        });
        const keys = Array.from(dates, (date) => (Number.isNaN(date) ? Infinity : date));
        for (let row = 1; row < keys.length; row++) {
          const ordered = keys[row]! > keys[row - 1]! || (keys[row] === keys[row - 1] && origins[row]! > origins[row - 1]!);
          if (!ordered) expect.fail(`rows ${row - 1} and ${row} out of order: ${dates[row - 1]}, ${dates[row]}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});
