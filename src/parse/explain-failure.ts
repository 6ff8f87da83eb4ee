import { FormatError } from '../errors.js';
import { decodeBody, decodeStrict } from './decode-body.js';
import { sectionEnd, skipSeparators, type Malformed } from './section-cursor.js';

/*
 * The parser's slow path: it runs only once the fast path has stopped, so it may
 * decode, use regular expressions and scan the body again.
 */

const EXCERPT_CHARS = 80;
const SECTION_NAMES: readonly string[] = ['dates', 'opens', 'highs', 'lows', 'closes', 'volumes'];

/** `dates`, `opens`, … `volumes` for the first six sections, then `section 7`, `section 8`, … */
export function sectionName(index: number): string {
  return SECTION_NAMES[index] ?? `section ${index + 1}`;
}

/** Index of the first byte after a UTF-8 BOM, if there is one. */
export function bodyStart(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/**
 * Turns what the fast path found into the error to throw, or into `null` when
 * the body is "no data" (a single section that is not a page).
 */
export function explainFailure(bytes: Uint8Array, failure: Malformed, charset?: string): FormatError | null {
  const page = detectNonPayload(bytes.subarray(bodyStart(bytes)), charset);
  if (page !== undefined) return page;
  if (failure.section === 0 && countSections(bytes) <= 1) return null;

  const section = sectionName(failure.section);
  const quoted = bytes.subarray(failure.start, failure.end);
  switch (failure.reason) {
    case 'unequal_length':
    case 'truncated':
      return new FormatError(failure.reason, `section ${section}: ${failure.detail}`, {
        section,
        excerpt: tail(latin1(bytes.subarray(Math.max(failure.start, failure.end - EXCERPT_CHARS), failure.end)), quoted.length),
      });
    case 'too_few_sections':
      return new FormatError(failure.reason, failure.detail, {
        section,
        excerpt: cut(printable(latin1(quoted))),
      });
    default:
      return new FormatError(failure.reason, `section ${section}: cannot read ${JSON.stringify(latin1(quoted).slice(0, 40))}`, {
        section,
        excerpt: cut(printable(latin1(quoted))),
      });
  }
}

/**
 * An HTML or text page (blocked, busy or parked mirror) → 'html'; NUL and other
 * control bytes, or bytes that are no text in any charset we know → 'binary'.
 */
function detectNonPayload(body: Uint8Array, charset: string | undefined): FormatError | undefined {
  let control = false;
  let nonAscii = false;
  let lessThan = false;
  for (const c of body) {
    if (c >= 128) nonAscii = true;
    else if ((c < 32 && (c < 9 || c > 13)) || c === 127) control = true;
    else if (c === 60) lessThan = true;
  }
  if (control) {
    return new FormatError('binary', 'the body holds control bytes: not a djbcd payload', { excerpt: escapedBytes(body) });
  }
  if (lessThan || /html/i.test(latin1(body))) {
    return new FormatError('html', 'the mirror sent a web page, not a djbcd payload', {
      excerpt: cut(visibleText(decodeBody(body, charset))),
    });
  }
  if (nonAscii) {
    const text = decodeStrict(body, charset);
    if (text === undefined) {
      return new FormatError('binary', 'the body is not text in any known charset', { excerpt: escapedBytes(body) });
    }
    // Text such as 系統忙碌中 without markup: a busy page all the same.
    return new FormatError('html', 'the mirror sent a text page, not a djbcd payload', { excerpt: cut(visibleText(text)) });
  }
  return undefined;
}

function countSections(bytes: Uint8Array): number {
  let sections = 0;
  let pos = skipSeparators(bytes, bodyStart(bytes));
  while (pos < bytes.length) {
    sections++;
    pos = skipSeparators(bytes, sectionEnd(bytes, pos));
  }
  return sections;
}

function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

function visibleText(text: string): string {
  const stripped = text
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>?/g, ' ')
    .replace(/&nbsp;/gi, ' ');
  const visible = printable(stripped);
  return visible === '' ? printable(text) : visible;
}

/** Whitespace runs become one space; other control characters become `\xNN`. */
function printable(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .trim();
}

function escapedBytes(bytes: Uint8Array): string {
  let out = '';
  for (const c of bytes.subarray(0, EXCERPT_CHARS)) {
    out += c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
    if (out.length >= EXCERPT_CHARS) break;
  }
  return out.slice(0, EXCERPT_CHARS);
}

/** At most EXCERPT_CHARS code points, so a Chinese character is never split. */
function cut(text: string): string {
  const chars = Array.from(text);
  return chars.length <= EXCERPT_CHARS ? text : `${chars.slice(0, EXCERPT_CHARS - 1).join('')}…`;
}

/** The end of a section: what a cut transfer looks like. */
function tail(text: string, fullLength: number): string {
  const shown = printable(text);
  return fullLength > shown.length ? `…${shown.slice(-(EXCERPT_CHARS - 1))}` : shown;
}
