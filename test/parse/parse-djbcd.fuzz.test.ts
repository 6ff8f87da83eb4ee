import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, type FormatReason } from '../../src/errors.js';
import type { DailySeries } from '../../src/core/daily-series.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { createParserPool, type Parser } from '../../src/parse/parser-pool.js';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { isValidBar, validateBars } from '../../src/validate/validate-bars.js';
import { readFixture } from '../support/fixtures.js';

/*
 * Property-based fuzzing of the djbcd parser: mutated real payloads and generated
 * well-formed ones. Whatever the bytes, parseDjbcd returns a series or throws a
 * FormatError — nothing else, and quickly — and every bar the validator accepts from
 * it holds the invariants. The seed is fixed so CI replays the same cases; fast-check
 * prints the seed and the shrunk input of a failure. FUZZ_SEED and FUZZ_RUNS override.
 */

const SEED = process.env.FUZZ_SEED === undefined ? 0x2330_0050 : Number(process.env.FUZZ_SEED);
const RUNS = process.env.FUZZ_RUNS === undefined ? 3_000 : Number(process.env.FUZZ_RUNS);
const runs = (share: number): number => Math.max(1, Math.round(RUNS * share));

/** Far enough ahead that generated dates are never "in the future". */
const TODAY = '2035-12-31';
/** A parse of a payload of a few hundred kB takes well under a millisecond; this is "it hung". */
const CASE_LIMIT_MS = 250;
const REASONS: ReadonlySet<FormatReason> = new Set([
  'html', 'binary', 'too_few_sections', 'unequal_length', 'truncated', 'empty', 'bad_number', 'bad_date',
]);

// The payload files at the top of fixtures/; its folders hold fixtures of other kinds.
const FIXTURE_NAMES = readdirSync(new URL('../../fixtures/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => entry.name)
  .sort();
const FIXTURES = new Map(FIXTURE_NAMES.map((name) => [name, latin1(readFixture(name))]));

/** Bytes ↔ a string of the same length (one char per byte), so text operations keep every byte. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
function bytesOf(text: string): Uint8Array {
  // A buffer of its own: the pool may transfer it.
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

// ---------------------------------------------------------------------------------------
// What every outcome must satisfy
// ---------------------------------------------------------------------------------------

type Outcome = { series: DailySeries } | { error: FormatError };

/** Parses, rethrowing anything that is not a FormatError (fast-check then reports the input). */
function parseOutcome(bytes: Uint8Array): Outcome {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = { series: parseDjbcd(bytes) };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    outcome = { error };
  }
  const ms = performance.now() - started;
  if (ms > CASE_LIMIT_MS) throw new Error(`parsing ${bytes.length} bytes took ${Math.round(ms)} ms`);
  return outcome;
}

function checkFormatError(error: FormatError): void {
  expect(error.code).toBe('E_FORMAT');
  expect(REASONS.has(error.reason), error.reason).toBe(true);
  expect(typeof error.message).toBe('string');
  expect(Array.from(error.excerpt).length).toBeLessThanOrEqual(80);
  expect(error.excerpt).not.toMatch(/[\u0000-\u001f]/);
}

/** Throws with `what` when `ok` is false; plain checks, since thousands of bars per case make expect() the slow part. */
function must(ok: boolean, what: () => string): void {
  if (!ok) throw new Error(what());
}

function checkSeries(series: DailySeries): void {
  const { count, values, sections } = series;
  must(Number.isSafeInteger(count) && count >= 0, () => `count ${count}`);
  must(values instanceof Float64Array && values.length === count * 6, () => `${values.length} values for ${count} rows`);
  must(count > 0 ? sections >= 6 : sections <= 1, () => `${sections} sections with ${count} rows`);
  for (let i = 0; i < count; i++) {
    const date = values[i]!;
    must(Number.isNaN(date) || (Number.isInteger(date) && date >= 0), () => `date ${date}`);
    // Sorted oldest first; a missing date sorts last.
    const previous = values[i - 1];
    must(i === 0 || Number.isNaN(date) || (!Number.isNaN(previous!) && previous! <= date), () => `${previous} before ${date}`);
  }
}

/** The invariants of validate-bars.ts, spelled out once more here rather than trusted. */
function checkBar(bar: DailyBar): void {
  const { open_price: open, high_price: high, low_price: low, close_price: close, volume } = bar;
  const shown = (): string => `bad bar ${JSON.stringify(bar)}`;
  must(bar.stock_code === '2330', shown);
  // Above 10^8 the table's numeric(12,4) overflows.
  must([open, high, low, close].every((price) => Number.isFinite(price) && price > 0 && price < 1e8), shown);
  must(high >= Math.max(open, close, low) && low <= Math.min(open, close, high), shown);
  must(Number.isSafeInteger(volume) && volume >= 0, shown);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(bar.trade_date);
  must(match !== null, shown);
  const [year, month, day] = [Number(match![1]), Number(match![2]), Number(match![3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  must(year >= 1900 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && bar.trade_date <= TODAY, shown);
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  must(bar.data_quality === (weekend ? 'weekend' : 'valid'), shown);
  must(isValidBar(bar, { today: TODAY }), () => `isValidBar refuses an accepted bar: ${JSON.stringify(bar)}`);
}

function checkValidation(series: DailySeries): DailyBar[] {
  const result = validateBars('2330', series, { today: TODAY });
  const { counts } = result;
  expect(counts.input).toBe(series.count);
  expect(counts.accepted + counts.rejected + counts.duplicates).toBe(counts.input);
  expect(counts.accepted).toBe(result.accepted.length);
  expect(counts.rejected).toBe(result.rejected.length);
  result.accepted.forEach((bar, i) => {
    checkBar(bar);
    // One bar per day, oldest first.
    must(i === 0 || result.accepted[i - 1]!.trade_date < bar.trade_date, () => `${bar.trade_date} out of order`);
  });
  return result.accepted;
}

/** Everything that must hold of any payload's outcome. */
function checkAnyPayload(bytes: Uint8Array): Outcome {
  const outcome = parseOutcome(bytes);
  if ('error' in outcome) checkFormatError(outcome.error);
  else {
    checkSeries(outcome.series);
    checkValidation(outcome.series);
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------
// Mutations of real payloads
// ---------------------------------------------------------------------------------------

/** Bytes the parser treats specially, and a few it must refuse. */
const INTERESTING = [...'0123456789,/-. \t\r\n;<>eE+', '\u0000', '\u007f', '\u0080', '\u00a0', '\u00ef', '\u00bb', '\u00bf', '\u00ff'];

const NASTY_TOKENS = [
  'NaN', 'Infinity', '-Infinity', 'nan', '--', '-', '---', '', 'null', 'undefined', '0x1F', '+5', '.5', '5.', '.', '-.',
  '1e5', '1E-3', '-0', '0', '00000', '1,5', '1.2.3', '1e308', '1.7976931348623157e308',
  '9'.repeat(400), `1.${'0'.repeat(300)}1`, '123456789012345678901234567890.5', '0.00001', '0.99995', '9007199254740993',
  '2024/02/30', '2024/13/01', '0000/00/00', '99/99/99', '1/1/1', '2024/1/2', '2024-01-02', '20241301', '20240230',
  '1150229', '9999999', '99999999', '000101', '１２３', '<br>', '&nbsp;',
];

/** A number as text, from the plain to the absurd. */
const numberToken = fc.oneof(
  fc.constantFrom(...NASTY_TOKENS),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }).map(String),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 30 })).map(([n, decimals]) => (n / 10 ** decimals).toFixed(decimals)),
  // Long digit runs take the parser's slow exact path.
  fc.integer({ min: 17, max: 5_000 }).map((digits) => '7'.repeat(digits)),
);

/** Random Unicode, as the UTF-8 bytes a mirror would send. */
const unicodeBytes = fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).map((text) => latin1(Buffer.from(text, 'utf8')));

const insertion = fc.oneof(
  fc.string({ unit: fc.constantFrom(...INTERESTING), minLength: 1, maxLength: 8 }),
  unicodeBytes,
  numberToken,
);

type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; section: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'drop'; section: number }
  | { op: 'separator'; from: ',' | ' ' | '\n'; to: string }
  | { op: 'token'; section: number; index: number; token: string }
  | { op: 'extra'; sections: number; skew: number; token: string };

const at = fc.nat({ max: 1 << 20 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('set' as const), at, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at, text: insertion }),
  fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at }),
  fc.record({ op: fc.constant('duplicate' as const), section: fc.nat({ max: 30 }) }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat({ max: 30 }), b: fc.nat({ max: 30 }) }),
  fc.record({ op: fc.constant('drop' as const), section: fc.nat({ max: 30 }) }),
  fc.record({
    op: fc.constant('separator' as const),
    from: fc.constantFrom(',' as const, ' ' as const, '\n' as const),
    to: fc.constantFrom(';', ',', ' ', '\t', '\r\n', '\r', '  ', ', ', ' ,', '', '\u00a0', ',,'),
  }),
  fc.record({ op: fc.constant('token' as const), section: fc.nat({ max: 30 }), index: fc.nat({ max: 5_000 }), token: numberToken }),
  // The 23-section form, or something near it: extra sections of the dates' length (± skew).
  fc.record({
    op: fc.constant('extra' as const),
    sections: fc.integer({ min: 1, max: 20 }),
    skew: fc.constantFrom(0, 0, 0, -1, 1),
    token: fc.oneof(fc.integer({ min: -1e9, max: 1e9 }).map(String), numberToken),
  }),
);

/** Sections as the parser sees them: runs of bytes between whitespace and `;`. */
const SECTION = /[^\t\n\v\f\r ;]+/g;

function sectionsOf(text: string): string[] {
  return text.match(SECTION) ?? [];
}

function mutate(text: string, m: Mutation): string {
  const position = (n: number): number => n % (text.length + 1);
  const sections = sectionsOf(text);
  const pick = (n: number): number => n % Math.max(1, sections.length);
  switch (m.op) {
    case 'flip':
    case 'set': {
      if (text.length === 0) return text;
      const i = m.at % text.length;
      const byte = m.op === 'flip' ? text.charCodeAt(i) ^ m.mask : m.byte;
      return text.slice(0, i) + String.fromCharCode(byte) + text.slice(i + 1);
    }
    case 'insert': {
      const i = position(m.at);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'delete': {
      const i = position(m.at);
      return text.slice(0, i) + text.slice(i + m.length);
    }
    case 'truncate':
      return text.slice(0, position(m.at));
    case 'duplicate':
      if (sections.length === 0) return text;
      sections.splice(pick(m.section), 0, sections[pick(m.section)]!);
      return sections.join(' ');
    case 'swap': {
      if (sections.length < 2) return text;
      const [a, b] = [pick(m.a), pick(m.b)];
      [sections[a], sections[b]] = [sections[b]!, sections[a]!];
      return sections.join(' ');
    }
    case 'drop':
      sections.splice(pick(m.section), 1);
      return sections.join('\n');
    case 'separator':
      return text.split(m.from).join(m.to);
    case 'token': {
      if (sections.length === 0) return m.token;
      const s = pick(m.section);
      const tokens = sections[s]!.split(',');
      tokens[m.index % tokens.length] = m.token;
      sections[s] = tokens.join(',');
      return sections.join(' ');
    }
    case 'extra': {
      const count = Math.max(0, (sections[0]?.split(',').length ?? 0) + m.skew);
      const extra = Array.from({ length: m.sections }, (_, k) =>
        Array.from({ length: count }, (_, i) => (i === k % Math.max(1, count) ? m.token : String((i * 7919 - k * 104_729) % 1_000_003))).join(','),
      );
      return `${text} ${extra.join(' ')}`;
    }
  }
}

const mutatedFixture = fc
  .tuple(fc.constantFrom(...FIXTURE_NAMES), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([name, mutations]) => ({ name, mutations, text: mutations.reduce(mutate, FIXTURES.get(name)!) }));

// ---------------------------------------------------------------------------------------
// Well-formed payloads, generated
// ---------------------------------------------------------------------------------------

const FIRST_DAY = Date.UTC(1921, 0, 1);
const LAST_DAY = Date.UTC(2035, 11, 31);
const DAY_MS = 86_400_000;

type DateStyle = 'gregorian' | 'compact-gregorian' | 'roc' | 'compact-roc';

interface Row {
  day: number; // ms since epoch, UTC midnight
  /** Prices as integers of 10^-decimals, and how they are written. */
  decimals: number;
  low: number;
  high: number;
  open: number;
  close: number;
  volume: number;
  /** Which of open…volume is written as a missing value ('--', '-' or ''), if any. */
  missing: { column: number; token: string } | undefined;
}

const row: fc.Arbitrary<Row> = fc
  .record({
    day: fc.integer({ min: 0, max: (LAST_DAY - FIRST_DAY) / DAY_MS }).map((n) => FIRST_DAY + n * DAY_MS),
    decimals: fc.integer({ min: 0, max: 4 }),
    low: fc.integer({ min: 1, max: 20_000_000 }),
    spread: fc.integer({ min: 0, max: 5_000_000 }),
    openAt: fc.double({ min: 0, max: 1, noNaN: true }),
    closeAt: fc.double({ min: 0, max: 1, noNaN: true }),
    volume: fc.integer({ min: 0, max: 2_000_000_000 }),
    missing: fc.option(fc.record({ column: fc.integer({ min: 1, max: 5 }), token: fc.constantFrom('--', '-', '') }), { freq: 8 }),
  })
  .map(({ low, spread, openAt, closeAt, missing, ...rest }) => ({
    ...rest,
    low,
    high: low + spread,
    open: low + Math.round(spread * openAt),
    close: low + Math.round(spread * closeAt),
    missing: missing ?? undefined,
  }));

const payloadShape = fc.record({
  rows: fc.array(row, { minLength: 1, maxLength: 60 }),
  dateStyle: fc.constantFrom<DateStyle>('gregorian', 'compact-gregorian', 'roc', 'compact-roc'),
  separator: fc.constantFrom(' ', '\n', '\r\n', '\t', ' \r\n', '  '),
  trailingComma: fc.boolean(),
  trailingSemicolon: fc.boolean(),
  bom: fc.boolean(),
  twentyThree: fc.boolean(),
});
type PayloadShape = typeof payloadShape extends fc.Arbitrary<infer T> ? T : never;

function dateToken(day: number, style: DateStyle): string {
  const date = new Date(day);
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  const mm = String(m).padStart(2, '0');
  const dd = String(d).padStart(2, '0');
  if (style === 'gregorian') return `${y}/${mm}/${dd}`;
  if (style === 'compact-gregorian') return `${y}${mm}${dd}`;
  if (style === 'roc') return `${y - 1911}/${mm}/${dd}`;
  return `${y - 1911}${mm}${dd}`;
}

function priceToken(units: number, decimals: number): string {
  const text = (units / 10 ** decimals).toFixed(decimals);
  // Whole numbers come without `.0`, as the mirrors write them.
  return decimals > 0 ? text.replace(/\.?0+$/, '') : text;
}

function tokensOf(r: Row, style: DateStyle): string[] {
  const tokens = [
    dateToken(r.day, style),
    priceToken(r.open, r.decimals),
    priceToken(r.high, r.decimals),
    priceToken(r.low, r.decimals),
    priceToken(r.close, r.decimals),
    String(r.volume),
  ];
  if (r.missing !== undefined) tokens[r.missing.column] = r.missing.token;
  return tokens;
}

function render(shape: PayloadShape): string {
  const table = shape.rows.map((r) => tokensOf(r, shape.dateStyle));
  const columns = Array.from({ length: 6 }, (_, c) => table.map((tokens) => tokens[c]!));
  if (shape.twentyThree) {
    for (let k = 0; k < 17; k++) columns.push(shape.rows.map((_, i) => String((i - k) * 1_234_567 - 50_000)));
  }
  const sections = columns.map((tokens) => {
    // An empty last token reads as a trailing comma (and a lone one as no section at all):
    // the format cannot say it, so that missing value is written `--`.
    const written = !shape.trailingComma && tokens.at(-1) === '' ? [...tokens.slice(0, -1), '--'] : tokens;
    return written.join(',') + (shape.trailingComma ? ',' : '');
  });
  return `${shape.bom ? '\u00ef\u00bb\u00bf' : ''}${sections.join(shape.separator)}${shape.trailingSemicolon ? ';' : ''}${shape.separator}`;
}

/** The columns a correct parse gives: Number(token) (NaN when missing), rows stably sorted by date. */
function expectedColumns(shape: PayloadShape): number[] {
  const rows = shape.rows.map((r) => {
    const tokens = tokensOf(r, shape.dateStyle);
    const date = new Date(r.day);
    return [
      date.getUTCFullYear() * 10_000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate(),
      ...tokens.slice(1).map((token) => (token === '' || /^-+$/.test(token) ? Number.NaN : Number(token))),
    ];
  });
  const sorted = rows.map((values, i) => ({ values, i })).sort((a, b) => a.values[0]! - b.values[0]! || a.i - b.i);
  return Array.from({ length: 6 }, (_, c) => sorted.map((entry) => entry.values[c]!)).flat();
}

type ExpectedBar = Pick<DailyBar, 'trade_date' | 'open_price' | 'high_price' | 'low_price' | 'close_price' | 'volume'>;

/** The bars validation must accept: complete rows, one per day — the last of a day in payload order — oldest first. */
function expectedBars(shape: PayloadShape): ExpectedBar[] {
  const byDay = new Map<string, ExpectedBar>();
  for (const r of shape.rows) {
    if (r.missing !== undefined) continue;
    const day = new Date(r.day).toISOString().slice(0, 10);
    const price = (units: number): number => Number(priceToken(units, r.decimals));
    byDay.set(day, { trade_date: day, open_price: price(r.open), high_price: price(r.high), low_price: price(r.low), close_price: price(r.close), volume: r.volume });
  }
  return [...byDay.values()].sort((a, b) => (a.trade_date < b.trade_date ? -1 : 1));
}

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

const settings = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

describe('parseDjbcd under fuzzing', () => {
  it('parses every real fixture as is, within the contract', () => {
    for (const text of FIXTURES.values()) checkAnyPayload(bytesOf(text));
  });

  it('returns a series or a FormatError for mutated real payloads, and validation keeps only sound bars', () => {
    fc.assert(
      fc.property(mutatedFixture, ({ text }) => {
        checkAnyPayload(bytesOf(text));
      }),
      settings(runs(1)),
    );
  });

  it('survives arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        checkAnyPayload(bytes);
      }),
      settings(runs(0.3)),
    );
  });

  it('reads back exactly the values of a generated well-formed payload, in any date style and layout', () => {
    fc.assert(
      fc.property(payloadShape, (shape) => {
        const outcome = parseOutcome(bytesOf(render(shape)));
        if ('error' in outcome) throw new Error(`a well-formed payload was refused: ${outcome.error.message}`);
        const { series } = outcome;
        expect(series.count).toBe(shape.rows.length);
        expect(series.sections).toBe(shape.twentyThree ? 23 : 6);
        expect(Array.from(series.values)).toEqual(expectedColumns(shape));
      }),
      settings(runs(0.3)),
    );
  });

  it('accepts every complete row of a generated payload, one bar per day, and rejects only the incomplete', () => {
    fc.assert(
      fc.property(payloadShape, (shape) => {
        const outcome = parseOutcome(bytesOf(render(shape)));
        if ('error' in outcome) throw new Error(`a well-formed payload was refused: ${outcome.error.message}`);
        const accepted = checkValidation(outcome.series);
        const result = validateBars('2330', outcome.series, { today: TODAY });
        expect(result.rejected.every((rejected) => rejected.rule === 'missing_value')).toBe(true);
        expect(result.rejected).toHaveLength(shape.rows.filter((r) => r.missing !== undefined).length);
        expect(accepted.map(({ stock_code: _s, data_quality: _q, ...values }) => values)).toEqual(expectedBars(shape));
      }),
      settings(runs(0.2)),
    );
  });

  it('survives mutations of generated well-formed payloads too', () => {
    fc.assert(
      fc.property(payloadShape, fc.array(mutation, { minLength: 1, maxLength: 3 }), (shape, mutations) => {
        checkAnyPayload(bytesOf(mutations.reduce(mutate, render(shape))));
      }),
      settings(runs(0.3)),
    );
  });
});

describe('the parser pool under fuzzing', () => {
  let pool: Parser;
  beforeAll(() => {
    pool = createParserPool({ threads: 1 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('gives across the thread what parseDjbcd gives inline: the same series or the same FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedFixture, async ({ text }) => {
        const inline = parseOutcome(bytesOf(text));
        const pooled = await pool.parse(bytesOf(text)).then(
          (series) => ({ series }),
          (error: unknown) => ({ error }),
        );
        if ('error' in inline) {
          expect('error' in pooled && pooled.error).toBeInstanceOf(FormatError);
          const error = (pooled as { error: FormatError }).error;
          expect({ reason: error.reason, section: error.section, excerpt: error.excerpt, message: error.message }).toEqual({
            reason: inline.error.reason,
            section: inline.error.section,
            excerpt: inline.error.excerpt,
            message: inline.error.message,
          });
        } else {
          expect('series' in pooled, String((pooled as { error?: unknown }).error)).toBe(true);
          const { series } = pooled as { series: DailySeries };
          expect({ count: series.count, sections: series.sections }).toEqual({ count: inline.series.count, sections: inline.series.sections });
          expect(Array.from(series.values)).toEqual(Array.from(inline.series.values));
        }
      }),
      settings(runs(0.05)),
    );
  });
});
