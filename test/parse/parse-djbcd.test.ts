import { describe, expect, it } from 'vitest';
import { FormatError, type FormatReason } from '../../src/errors.js';
import { column, type DailySeries } from '../../src/core/daily-series.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { readFixture } from '../support/fixtures.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const DATES2 = '2024/01/02,2024/01/03';
const DATES3 = '2024/01/02,2024/01/03,2024/01/04';

function formatErrorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).code).toBe('E_FORMAT');
    return error as FormatError;
  }
  throw new Error('expected a FormatError, but parsing succeeded');
}

function expectFormatError(bytes: Uint8Array, reason: FormatReason, section?: string): FormatError {
  const error = formatErrorOf(() => parseDjbcd(bytes));
  expect(error.reason).toBe(reason);
  expect(error.section).toBe(section);
  expect(Array.from(error.excerpt).length).toBeLessThanOrEqual(80);
  expect(error.excerpt).not.toMatch(/[\u0000-\u001f]/);
  return error;
}

const rows = (series: DailySeries): number[][] =>
  Array.from({ length: series.count }, (_, i) =>
    (['date', 'open', 'high', 'low', 'close', 'volume'] as const).map((name) => column(series, name)[i]!),
  );

/** The obvious (slow) reading of a well-formed payload, to compare against. */
function naiveColumns(text: string): number[][] {
  return text
    .trim()
    .split(/\s+/)
    .map((section) => section.split(',').map((token) => (token.includes('/') ? Number(token.replaceAll('/', '')) : Number(token))));
}

describe('parseDjbcd: well-formed payloads', () => {
  it('reads all 1,440 bars of a six-section Gregorian history', () => {
    const bytes = readFixture('gregorian-6-sections.djbcd');
    const series = parseDjbcd(bytes);
    expect(series.count).toBe(1440);
    expect(series.sections).toBe(6);
    expect(series.values).toHaveLength(1440 * 6);
    expect(series.values.byteLength).toBe(series.values.buffer.byteLength);
    const expected = naiveColumns(bytes.toString('latin1'));
    expect(Array.from(series.values)).toEqual(expected.flat());
    expect(column(series, 'date')[0]).toBe(20200518);
    expect(column(series, 'date')[1439]).toBe(20251121);
  });

  it('reads ROC dates with slashes, 2- and 3-digit years', () => {
    const series = parseDjbcd(readFixture('roc-slash-dates.djbcd'));
    expect(Array.from(column(series, 'date'))).toEqual([20101229, 20101230, 20101231, 20110103, 20110104, 20170502]);
    expect(rows(series)[5]).toEqual([20170502, 194.5, 195, 193.5, 194, 23144]);
  });

  it('reads compact ROC dates of 6 and 7 digits, and compact Gregorian of 8', () => {
    const series = parseDjbcd(readFixture('roc-compact-dates.djbcd'));
    expect(Array.from(column(series, 'date'))).toEqual([20091021, 20091022, 20091023, 20260826, 20260827, 20260828]);
    const gregorian = parseDjbcd(ascii('20240102,20240103 1,2 1,2 1,2 1,2 5,6'));
    expect(Array.from(column(gregorian, 'date'))).toEqual([20240102, 20240103]);
  });

  it('accepts one-digit months and days, and leaves calendar checks to the validator', () => {
    const series = parseDjbcd(ascii('2024/1/2,2023/02/30,2023/13/01 1,2,3 1,2,3 1,2,3 1,2,3 5,6,7'));
    expect(Array.from(column(series, 'date'))).toEqual([20230230, 20231301, 20240102]);
  });

  it('reads the 23-section form: six columns kept, extras length-checked', () => {
    const series = parseDjbcd(readFixture('twenty-three-sections.djbcd'));
    expect(series.sections).toBe(23);
    expect(series.count).toBe(3);
    expect(series.values).toHaveLength(18);
    expect(rows(series)).toEqual([
      [20240102, 590, 593, 589, 593, 26059],
      [20240103, 584, 585, 578, 578, 37106],
      [20240104, 580, 581, 577, 580, 15308],
    ]);
  });

  it('tolerates a BOM, CRLF, trailing commas and a trailing semicolon', () => {
    const tolerant = parseDjbcd(readFixture('trailing-separators-crlf-bom.djbcd'));
    const plain = parseDjbcd(
      ascii('2024/01/02,2024/01/03,2024/01/04 590,584,580 593,585,581 589,578,577 593,578,580 26059,37106,15308'),
    );
    expect(tolerant).toEqual(plain);
    expect(parseDjbcd(ascii('\t 2024/01/02;\n1; 2 ; 1\r\n1   7 '))).toMatchObject({ count: 1, sections: 6 });
  });

  it('sorts rows by date, stably, keeping duplicates in payload order', () => {
    const series = parseDjbcd(readFixture('unsorted.djbcd'));
    expect(rows(series)).toEqual([
      [20240102, 590, 593, 589, 593, 26059],
      [20240103, 584, 585, 578, 578, 37106],
      [20240103, 584, 586, 578, 579, 37200],
      [20240104, 580, 581, 577, 580, 15308],
      [20240105, 582, 585, 580, 584, 22001],
    ]);
  });

  it('reads adjusted prices with four decimals exactly as Number() does', () => {
    const bytes = readFixture('adjusted-4-decimals.djbcd');
    const series = parseDjbcd(bytes);
    const expected = naiveColumns(bytes.toString('latin1')).flat();
    Array.from(series.values).forEach((value, i) => expect(Object.is(value, expected[i])).toBe(true));
    expect(rows(series)[0]).toEqual([20191016, 251.3456, 253.1234, 250.0021, 252.5, 31418]);
  });

  it('parses decimals to the same double as Number(), over many values', () => {
    let state = 12345;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const tokens: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const integerDigits = 1 + Math.floor(random() * 11);
      const decimals = Math.floor(random() * 5);
      let token = String(Math.floor(random() * 10 ** integerDigits));
      if (decimals > 0) token += `.${String(Math.floor(random() * 10 ** decimals)).padStart(decimals, '0')}`;
      tokens.push(random() < 0.1 ? `-${token}` : token);
    }
    tokens.push('0.1', '0.2', '0.3', '123.45', '9007199254740993', '12345678901234567890.5', '.5', '5.', '-0', '0.0001');
    const count = tokens.length;
    const dates = Array.from({ length: count }, () => '2024/01/02').join(',');
    const list = tokens.join(',');
    const series = parseDjbcd(ascii(`${dates} ${list} ${list} ${list} ${list} ${list}`));
    const opens = column(series, 'open');
    tokens.forEach((token, i) => {
      if (!Object.is(opens[i], Number(token))) expect.fail(`${token}: ${opens[i]} !== ${Number(token)}`);
    });
  });

  it('turns --, - and empty tokens into NaN, never 0', () => {
    const series = parseDjbcd(readFixture('missing-values.djbcd'));
    expect(series.count).toBe(5);
    const missing = rows(series).flatMap((row, r) => row.flatMap((value, c) => (Number.isNaN(value) ? [[r, c]] : [])));
    expect(missing).toEqual([
      [1, 1],
      [2, 4],
      [3, 5],
      [4, 2],
    ]);
  });

  it('treats one trailing comma as a terminator, but an empty token before it as a value', () => {
    const parse = (opens: string) => Array.from(column(parseDjbcd(ascii(`${DATES3} ${opens} 1,2,3 1,2,3 1,2,3 1,2,3`)), 'open'));
    expect(parse('1,,3')).toEqual([1, NaN, 3]);
    expect(parse('1,2,3,')).toEqual([1, 2, 3]);
    expect(parse(',2,3')).toEqual([NaN, 2, 3]);
    expectFormatError(ascii(`${DATES3} 1,2,3,, 1,2,3 1,2,3 1,2,3 1,2,3`), 'unequal_length', 'opens');
  });

  it('keeps missing dates as NaN rows, sorted last', () => {
    const series = parseDjbcd(ascii('2024/01/03,--,2024/01/02 1,2,3 1,2,3 1,2,3 1,2,3 1,2,3'));
    expect(Array.from(column(series, 'date'))).toEqual([20240102, 20240103, NaN]);
    expect(Array.from(column(series, 'open'))).toEqual([3, 1, 2]);
  });

  it('reads a Buffer that is a view on a larger pooled buffer', () => {
    const bytes = Buffer.from('2024/01/02 1 2 0.5 1.5 10');
    expect(rows(parseDjbcd(bytes))).toEqual([[20240102, 1, 2, 0.5, 1.5, 10]]);
  });
});

describe('parseDjbcd: no data', () => {
  it('returns zero rows for an empty body', () => {
    expect(parseDjbcd(readFixture('empty.djbcd'))).toEqual({ count: 0, values: new Float64Array(0), sections: 0 });
    expect(parseDjbcd(ascii('\ufeff \r\n '))).toMatchObject({ count: 0, sections: 0 });
  });

  it('returns zero rows for a single section, whatever it holds', () => {
    expect(parseDjbcd(readFixture('single-section.djbcd'))).toMatchObject({ count: 0, sections: 1 });
    expect(parseDjbcd(ascii('n/a\r\n'))).toMatchObject({ count: 0, sections: 1 });
  });
});

describe('parseDjbcd: not a payload', () => {
  it('recognises a big5 busy page and quotes it readably', () => {
    const error = expectFormatError(readFixture('blocked-page-big5.html'), 'html', undefined);
    expect(error.excerpt).toContain('系統忙碌中');
    expect(error.excerpt).not.toContain('<');
    const declared = formatErrorOf(() => parseDjbcd(readFixture('blocked-page-big5.html'), { charset: 'big5' }));
    expect(declared.excerpt).toBe(error.excerpt);
  });

  it('recognises markup anywhere, and a text page without markup', () => {
    expectFormatError(ascii('2024/01/02 1 1 1 1 1 <br>'), 'html');
    expectFormatError(ascii('<!DOCTYPE html>'), 'html');
    const big5Text = new Uint8Array([0xa8, 0x74, 0xb2, 0xce, 0xa6, 0xa3, 0xb8, 0x4c, 0xa4, 0xa4]); // 系統忙碌中
    expect(expectFormatError(big5Text, 'html').excerpt).toBe('系統忙碌中');
  });

  it('recognises binary garbage', () => {
    expectFormatError(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]), 'binary');
    expectFormatError(ascii('2024/01/02 1 1 1 1 1\u0000'), 'binary');
    expectFormatError(new Uint8Array([0x32, 0x30, 0xff, 0xfe, 0x80, 0x20, 0x31]), 'binary');
  });
});

describe('parseDjbcd: broken payloads', () => {
  it('reads a number token of 200,000 digits without overflowing the stack', () => {
    for (const token of ['9'.repeat(200_000), `1.${'0'.repeat(150_000)}`]) {
      const series = parseDjbcd(ascii(`2024/01/02 ${token} 1 1 1 1`));
      expect(series.count).toBe(1);
      expect(column(series, 'open')[0]).toBe(Number(token));
    }
  });

  it('rejects 2–5 sections, naming the first missing one', () => {
    expectFormatError(readFixture('five-sections.djbcd'), 'too_few_sections', 'volumes');
    expectFormatError(ascii('2024/01/02,2024/01/03 1,2'), 'too_few_sections', 'highs');
  });

  it('rejects sections of unequal length, naming the section', () => {
    expectFormatError(readFixture('unequal-sections.djbcd'), 'unequal_length', 'highs');
    expectFormatError(ascii(`${DATES2} 1,2 1,2 1,2,3 1,2 1,2`), 'unequal_length', 'lows');
  });

  it('reports a cut transfer as truncated, naming the last section', () => {
    const error = expectFormatError(readFixture('truncated.djbcd'), 'truncated', 'volumes');
    expect(error.excerpt.startsWith('…')).toBe(true);
    const extras = Array.from({ length: 17 }, () => '1,2');
    expectFormatError(ascii(`${DATES2} 1,2 1,2 1,2 1,2 1,2 ${extras.join(' ')},`.replace(/1,2,$/, '1')), 'truncated', 'section 23');
    extras[2] = '1';
    expectFormatError(ascii(`${DATES2} 1,2 1,2 1,2 1,2 1,2 ${extras.join(' ')}`), 'unequal_length', 'section 9');
  });

  it('rejects tokens that are no number, quoting them', () => {
    for (const token of ['12a', '1.2.3', '.', '1-2', '--5', '1e5', '+1', '0x10']) {
      const error = expectFormatError(ascii(`2024/01/02,2024/01/03 1,${token} 1,2 1,2 1,2 1,2`), 'bad_number', 'opens');
      expect(error.excerpt).toBe(token);
    }
    expectFormatError(ascii(`${DATES2} 1,2 1,2 1,2 1,2 1,x2`), 'bad_number', 'volumes');
  });

  it('rejects tokens that are no date form', () => {
    for (const token of ['2024-01-02', '12345', '123456789', '2024/01', '2024/01/02/03', '2024/001/02', '1/01/02', '-2024/01/02']) {
      const error = expectFormatError(ascii(`2024/01/02,${token} 1,2 1,2 1,2 1,2 1,2`), 'bad_date', 'dates');
      expect(error.excerpt).toBe(token);
    }
  });
});
