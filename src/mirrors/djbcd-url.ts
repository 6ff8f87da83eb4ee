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

/** What the Python service sent: adjusted daily bars, 2880 of them, Gregorian dates. */
export const DEFAULT_QUERY: DjbcdQuery = Object.freeze({
  series: 'A',
  count: 2880,
  extra: Object.freeze({ E: '1', ver: '5' }),
});

/** Path of the daily-bar endpoint, relative to a mirror's base URL. */
export const DJBCD_PATH = 'z/BCD/czkc1.djbcd';

/** `{base}z/BCD/czkc1.djbcd?a={symbol}&b=…&c=…&E=1&ver=5`; relative, so a base path prefix is kept. */
export function buildDjbcdUrl(mirror: Mirror, symbol: string, query: DjbcdQuery): URL {
  const url = new URL(DJBCD_PATH, mirror.baseUrl);
  const params = new URLSearchParams({ a: symbol, b: query.series, c: String(query.count) });
  for (const [key, value] of Object.entries(query.extra)) params.append(key, value);
  url.search = params.toString();
  return url;
}

/** A current desktop Chrome on Windows; some mirrors turn away clients that do not look like a browser. */
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

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
