import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** One mirror serving the MoneyDJ endpoint. */
export interface Mirror {
  /** Short name used in logs, summaries and the `data_source` column (at most 50 characters). */
  name: string;
  /** Normalised base URL: http(s), no query or credentials, always ending with '/'. */
  baseUrl: string;
}

/** The eight broker mirrors known to serve `czkc1.djbcd`; the default when nothing is configured. */
export const DEFAULT_MIRRORS: readonly Mirror[] = Object.freeze(
  [
    { name: 'fubon', baseUrl: 'http://fubon-ebrokerdj.fbs.com.tw/' },
    { name: 'moneydj', baseUrl: 'http://justdata.moneydj.com/' },
    { name: 'yuanta', baseUrl: 'http://jdata.yuanta.com.tw/' },
    { name: 'emega', baseUrl: 'http://moneydj.emega.com.tw/' },
    { name: 'fubonfund', baseUrl: 'http://djfubonholdingfund.fbs.com.tw/' },
    { name: 'esun', baseUrl: 'https://sjmain.esunsec.com.tw/' },
    { name: 'kgi', baseUrl: 'http://kgieworld.moneydj.com/' },
    { name: 'masterlink', baseUrl: 'http://newjust.masterlink.com.tw/' },
  ].map((mirror) => Object.freeze(mirror)),
);

/** A mirror entry as a config file may hold it. */
export type MirrorEntry = string | { name?: string; url: string };

// data_source is varchar(50); names also appear unquoted in logs, so keep them plain.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,49}$/;
// `name=url`: the name part has no ':' or '/', so a URL containing '=' is never split.
const NAMED_ENTRY = /^([^=:/\s]+)=(.*)$/;

/**
 * Parses a `BROKER_URLS` / `--brokers` value: comma-separated entries, each `url` or
 * `name=url`. Empty entries (a trailing comma) are ignored; an empty list, a bad URL,
 * a bad name, a repeated explicit name or a repeated URL throws {@link UsageError}.
 * Names derived from hosts that collide get a `-2`, `-3` … suffix.
 */
export function parseMirrorList(spec: string): Mirror[] {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return normaliseMirrors(entries);
}

/** Normalises mirrors from a config file (strings as in {@link parseMirrorList}, or `{name?, url}`). */
export function normaliseMirrors(entries: readonly MirrorEntry[]): Mirror[] {
  if (entries.length === 0) throw new UsageError('the mirror list is empty: give at least one base URL');
  const parsed = entries.map(parseEntry);
  const explicit = new Set<string>();
  for (const entry of parsed) {
    if (entry.name === undefined) continue;
    if (explicit.has(entry.name)) throw new UsageError(`mirror name "${entry.name}" is used twice`);
    explicit.add(entry.name);
  }
  const seenUrls = new Set<string>();
  const taken = new Set(explicit);
  return parsed.map((entry) => {
    if (seenUrls.has(entry.baseUrl)) throw new UsageError(`mirror ${entry.baseUrl} is listed twice`);
    seenUrls.add(entry.baseUrl);
    const name = entry.name ?? uniqueName(deriveName(new URL(entry.baseUrl)), taken);
    taken.add(name);
    return { name, baseUrl: entry.baseUrl };
  });
}

function parseEntry(entry: MirrorEntry): { name: string | undefined; baseUrl: string } {
  let name: string | undefined;
  let url: string;
  if (typeof entry === 'string') {
    const named = NAMED_ENTRY.exec(entry.trim());
    name = named?.[1];
    url = (named?.[2] ?? entry).trim();
  } else {
    name = entry.name?.trim() || undefined;
    url = entry.url.trim();
  }
  const shown = typeof entry === 'string' ? entry : JSON.stringify(entry);
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    throw new UsageError(`mirror entry "${shown}": the name must be 1–50 letters, digits, '.', '_', ':' or '-'`);
  }
  return { name, baseUrl: normaliseBaseUrl(url, shown) };
}

function normaliseBaseUrl(url: string, shown: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`mirror entry "${shown}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`mirror entry "${shown}" must be an http:// or https:// URL`);
  }
  // Credentials would end up in logs and Referer headers; a query would be silently dropped.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UsageError(`mirror entry "${shown}" must not contain credentials`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new UsageError(`mirror entry "${shown}" must not contain a query or fragment`);
  }
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed.href;
}

/** `fubon-ebrokerdj.fbs.com.tw` → `fubon-ebrokerdj`; `www.x.com` → `x`; an IP keeps host and port. */
function deriveName(url: URL): string {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname) !== 0) return url.host.slice(0, 50);
  const labels = hostname.split('.');
  const label = labels.find((l) => l !== 'www' && l !== '') ?? hostname;
  return label.slice(0, 50);
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = base.slice(0, 50 - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
