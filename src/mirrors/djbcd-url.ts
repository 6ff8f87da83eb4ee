import type { Mirror } from './mirror-list.js';

/** The query of a `czkc1.djbcd` request, apart from the symbol. */
export interface DjbcdQuery {
  /** `b`: D daily, W weekly, M monthly, A adjusted daily. */
  series: string;
  /** `c`: the most bars to return (servers stop near 1,440 whatever is asked). */
  count: number;
  /** Further parameters, in order; `E=1&ver=5` selects Gregorian dates. */
  extra: Readonly<Record<string, string>>;
}

/**
 * The fixed part of every query, `E=1&ver=5`, which selects Gregorian dates; not a setting.
 * One frozen object for the whole process, so its encoding is worked out once.
 */
export const DJBCD_EXTRA: Readonly<Record<string, string>> = Object.freeze({ E: '1', ver: '5' });

/** Path of the daily-bar endpoint, relative to a mirror's base URL. */
export const DJBCD_PATH = 'z/BCD/czkc1.djbcd';

/** `{base}z/BCD/czkc1.djbcd?a={symbol}&b=…&c=…&E=1&ver=5`; relative, so a base path prefix is kept. */
export function buildDjbcdUrl(mirror: Mirror, symbol: string, query: DjbcdQuery): URL {
  const url = new URL(DJBCD_PATH, mirror.baseUrl);
  url.search = djbcdSearch(symbol, query);
  return url;
}

/**
 * The query string (no `?`) of {@link buildDjbcdUrl}, form-encoded as URLSearchParams does.
 * Built as a string: it is made once per request, and plain symbols need no encoding.
 */
export function djbcdSearch(symbol: string, query: DjbcdQuery): string {
  return `a=${formEncode(symbol)}&b=${formEncode(query.series)}&c=${formEncode(String(query.count))}${extraSearch(query.extra)}`;
}

// What application/x-www-form-urlencoded leaves as it is.
const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;

function formEncode(value: string): string {
  return FORM_SAFE.test(value) ? value : new URLSearchParams([['', value]]).toString().slice(1);
}

// The extra parameters are one frozen object for the whole run: encode them once.
const extraSearches = new WeakMap<object, string>();

function extraSearch(extra: Readonly<Record<string, string>>): string {
  let search = extraSearches.get(extra);
  if (search === undefined) {
    const params = new URLSearchParams(Object.entries(extra)).toString();
    search = params === '' ? '' : `&${params}`;
    extraSearches.set(extra, search);
  }
  return search;
}

/**
 * Browser-like request headers, Referer being the mirror's root. No Accept-Encoding:
 * the body stays identity-encoded, so the size cap counts what the parser will see.
 */
export function requestHeaders(mirror: Mirror, userAgent: string): Record<string, string> {
  return {
    'user-agent': userAgent,
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'accept-language': 'zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7',
    referer: mirror.baseUrl,
  };
}
