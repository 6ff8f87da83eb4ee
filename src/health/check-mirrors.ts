import { performance } from 'node:perf_hooks';
import { CrawlerError, FormatError, MirrorError } from '../errors.js';
import type { DjbcdQuery } from '../mirrors/djbcd-url.js';
import type { MirrorClient } from '../mirrors/mirror-client.js';
import type { Mirror } from '../mirrors/mirror-list.js';
import { column } from '../core/daily-series.js';
import { parseDjbcd } from '../parse/parse-djbcd.js';
import type { BrokerCheck } from './decide-health.js';

export interface CheckMirrorsOptions {
  /** Bounds each request, connect to last byte. */
  timeoutMs: number;
  /** The query sent (a one-bar request: `count: 1`). */
  query: DjbcdQuery;
  /** A symbol every mirror has. Default 2330 (TSMC). */
  symbol?: string;
  /** Monotonic milliseconds, for latencies. Default performance.now. */
  elapsed?: () => number;
}

/**
 * Asks every mirror for one bar of one symbol, all at once, each bounded by
 * `timeoutMs`, and parses the answer inline. Never throws: a mirror that fails, answers
 * an HTML page, garbage or no bar is `ok: false` with the reason (`E_FORMAT html`).
 */
export async function checkMirrors(
  mirrors: readonly Mirror[],
  client: Pick<MirrorClient, 'get'>,
  options: CheckMirrorsOptions,
): Promise<BrokerCheck[]> {
  return Promise.all(mirrors.map((mirror) => checkOne(mirror, client, options)));
}

async function checkOne(mirror: Mirror, client: Pick<MirrorClient, 'get'>, options: CheckMirrorsOptions): Promise<BrokerCheck> {
  const elapsed = options.elapsed ?? (() => performance.now());
  const symbol = options.symbol ?? '2330';
  const started = elapsed();
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new MirrorError('E_MIRROR_TIMEOUT', mirror.name, `${mirror.name}: no answer within ${options.timeoutMs} ms`, { transient: true }),
    );
  }, options.timeoutMs);
  const check = (ok: boolean, error: string | null, latestTradeDate: string | null = null): BrokerCheck => ({
    name: mirror.name,
    url: mirror.baseUrl,
    ok,
    latencyMs: Math.round(elapsed() - started),
    error,
    latestTradeDate,
  });
  try {
    const response = await client.get(mirror, symbol, options.query, controller.signal);
    const series = parseDjbcd(response.bytes, response.charset === undefined ? {} : { charset: response.charset });
    if (series.count === 0) return check(false, `E_FORMAT empty (no bar for ${symbol})`);
    const dates = column(series, 'date');
    return check(true, null, dayOf(dates[series.count - 1]));
  } catch (error) {
    return check(false, describeError(error, mirror.name));
  } finally {
    clearTimeout(timer);
  }
}

/** `E_FORMAT html`, `E_MIRROR_HTTP 503`, `E_MIRROR_NETWORK ECONNREFUSED …`: code first, then the detail. */
function describeError(error: unknown, mirrorName: string): string {
  if (error instanceof FormatError) return `E_FORMAT ${error.reason}${error.section ? ` (${error.section})` : ''}`;
  if (error instanceof MirrorError && error.code === 'E_MIRROR_HTTP' && error.status !== undefined) {
    return `E_MIRROR_HTTP ${error.status}`;
  }
  if (error instanceof CrawlerError) {
    const prefix = `${mirrorName}: `;
    return `${error.code} ${error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message}`;
  }
  return `E_INTERNAL ${error instanceof Error ? error.message : String(error)}`;
}

/** 20240102 → '2024-01-02'; null for a missing date. */
function dayOf(yyyymmdd: number | undefined): string | null {
  if (yyyymmdd === undefined || !Number.isFinite(yyyymmdd)) return null;
  const text = String(Math.trunc(yyyymmdd)).padStart(8, '0');
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}
