import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DailyBar } from '../../src/core/daily-bar.js';
import { DJBCD_EXTRA } from '../../src/mirrors/djbcd-url.js';
import type { RetryPolicy } from '../../src/mirrors/failover.js';
import { fetchSymbol } from '../../src/mirrors/fetch-symbol.js';
import { createMirrorClient, type MirrorClient, type MirrorClientOptions } from '../../src/mirrors/mirror-client.js';
import type { Mirror } from '../../src/mirrors/mirror-list.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { rejectEmptyForKnown } from '../../src/parse/reject-empty-for-known.js';
import { sleep } from '../../src/sleep.js';
import { validateBars } from '../../src/validate/validate-bars.js';
import type { FetchWindow } from '../../src/verify/check-agreement.js';
import { djbcd, generateHistory, scaleBar, type FarmBar } from './farm-history.js';

/** How one loopback mirror departs from the truth. */
export interface MirrorQuirks {
  /** The newest day it has; earlier than the others' for a mirror that lags. Default: the common last day. */
  lastDay?: string;
  /** Symbols it serves with every price times `factor` (a broken feed, or another series). */
  skew?: { symbols: readonly string[]; factor: number };
  /** Days it lacks, per symbol: a history with a gap. */
  gaps?: Readonly<Record<string, readonly string[]>>;
}

/** Mirrors serving the farm's deterministic histories, each with its quirks. */
export interface VerifyMirrors {
  /** Named m0, m1, …, in the order of the quirks. */
  mirrors: Mirror[];
  /** Per mirror, the symbols and `c` it was asked for. */
  requests: Array<Array<{ symbol: string; count: number }>>;
  /** The true history of a symbol up to `lastDay` (default: the common last day), as DailyBars. */
  truth(symbol: string, lastDay?: string): DailyBar[];
  close(): Promise<void>;
}

/** A farm bar as the validator turns it into a DailyBar. */
export function dailyBar(symbol: string, bar: FarmBar): DailyBar {
  return {
    stock_code: symbol,
    trade_date: bar.day,
    open_price: bar.open,
    high_price: bar.high,
    low_price: bar.low,
    close_price: bar.close,
    volume: bar.volume,
    data_quality: 'valid',
  };
}

/**
 * Starts one real HTTP server per entry of `quirks` on 127.0.0.1, each answering the djbcd
 * endpoint with the symbol's newest `c` bars (histories from `firstDay` to `lastDay`, the
 * farm's seeded random walk), as its quirks bend them.
 */
export async function startVerifyMirrors(
  quirks: readonly MirrorQuirks[],
  options: { firstDay: string; lastDay: string },
): Promise<VerifyMirrors> {
  const history = (symbol: string, lastDay = options.lastDay): FarmBar[] => generateHistory(symbol, lastDay, options.firstDay);
  const requests = quirks.map(() => [] as Array<{ symbol: string; count: number }>);
  const servers: Server[] = [];
  const mirrors: Mirror[] = [];
  for (const [index, quirk] of quirks.entries()) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://mirror');
      const symbol = url.searchParams.get('a') ?? '';
      const count = Number(url.searchParams.get('c') ?? '2880');
      requests[index]!.push({ symbol, count });
      const lacking = new Set(quirk.gaps?.[symbol] ?? []);
      const skewed = quirk.skew?.symbols.includes(symbol) === true;
      const bars = history(symbol, quirk.lastDay)
        .filter((bar) => !lacking.has(bar.day))
        .map((bar) => (skewed ? scaleBar(bar, quirk.skew!.factor) : bar))
        .slice(-Math.min(count, 1440));
      res.writeHead(200, { 'content-type': 'text/html; charset=big5' }).end(djbcd(bars));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    mirrors.push({ name: `m${index}`, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  }
  return {
    mirrors,
    requests,
    truth: (symbol, lastDay) => history(symbol, lastDay).map((bar) => dailyBar(symbol, bar)),
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

/** Loopback answers come in milliseconds: short timeouts, the production limits otherwise. */
const CLIENT_OPTIONS: MirrorClientOptions = {
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  attemptTimeoutMs: 5_000,
  maxBodyBytes: 4 * 1024 * 1024,
  userAgent: 'stock-crawler-test',
  connectionsPerOrigin: 2,
};

/** Three mirrors a round, three rounds, backoff in milliseconds rather than seconds. */
const RETRY_POLICY: RetryPolicy = {
  mirrorsPerRound: 3,
  maxRounds: 3,
  maxAttempts: 8,
  backoffBaseMs: 10,
  backoffMaxMs: 50,
  retryAfterMaxMs: 1_000,
  symbolDeadlineMs: 30_000,
};

/**
 * A FetchWindow over real mirrors: the production client, fetchSymbol's failover (without the
 * batch's pool), the real parser and validator. `firstMirror(symbol)` is the index asked first
 * (default 0), so a test decides which mirror opens each symbol's check.
 */
export function createWindowFetcher(
  mirrors: readonly Mirror[],
  options: { today: string; firstMirror?: (symbol: string) => number },
): { fetchWindow: FetchWindow; client: MirrorClient; close(): Promise<void> } {
  const client = createMirrorClient(CLIENT_OPTIONS);
  const fetchWindow: FetchWindow = async (symbol, count, exclude) => {
    const outcome = await fetchSymbol(symbol, {
      mirrors,
      client,
      query: { series: 'A', count, extra: DJBCD_EXTRA },
      policy: RETRY_POLICY,
      startIndex: options.firstMirror?.(symbol) ?? 0,
      decode: async (response) => rejectEmptyForKnown(parseDjbcd(response.bytes), true),
      sleep,
      now: () => performance.now(),
      random: Math.random,
      exclude,
    });
    if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
    return { ok: true, broker: outcome.broker, bars: validateBars(symbol, outcome.value, { today: options.today }).accepted };
  };
  return { fetchWindow, client, close: () => client.close() };
}
