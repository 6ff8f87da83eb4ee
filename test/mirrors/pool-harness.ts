import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import { FormatError } from '../../src/errors.js';
import type { RetryPolicy } from '../../src/mirrors/failover.js';
import { fetchSymbol } from '../../src/mirrors/fetch-symbol.js';
import { createIoTurns } from '../../src/mirrors/io-turns.js';
import type { FetchOutcome } from '../../src/mirrors/fetch-symbol.js';
import { createMirrorClient } from '../../src/mirrors/mirror-client.js';
import type { MirrorClient, MirrorResponse } from '../../src/mirrors/mirror-client.js';
import type { Mirror } from '../../src/mirrors/mirror-list.js';
import { createMirrorScheduler } from '../../src/mirrors/mirror-scheduler.js';
import type { MirrorScheduler } from '../../src/mirrors/mirror-scheduler.js';
import type { SchedulerOptions } from '../../src/mirrors/scheduler-options.js';
import { sleep } from '../../src/sleep.js';
import { DEFAULT_CLIENT_OPTIONS, DEFAULT_QUERY, DEFAULT_RETRY_POLICY, DEFAULT_SCHEDULER_OPTIONS } from '../support/defaults.js';
import { startLoopbackMirror } from '../support/loopback-mirror.js';
import type { LoopbackMirror } from '../support/loopback-mirror.js';
import { seeded } from '../support/seeded-random.js';

export const PAYLOAD = '2024/01/02,2024/01/03 580,590 585,595 575,588 582,593 31418,32804';

/** How a loopback mirror answers one request: after `delayMs`, with a status, headers and body. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/** A loopback mirror that records when each request arrived and how many were in flight at once. */
export interface CountingMirror {
  server: LoopbackMirror;
  mirror: Mirror;
  /** Arrival times (performance.now). */
  arrivals: number[];
  /** Requests being answered now, and the most at any moment. */
  load: { inFlight: number; max: number };
}

const ok = (delayMs = 5): Answer => ({ body: PAYLOAD, delayMs });

/** Shared answers: healthy, down, throttled, blocked (HTML), not found. */
export const answers = {
  ok,
  down: (): Answer => ({ status: 500, body: 'error' }),
  throttled: (headers: Record<string, string> = {}): Answer => ({ status: 429, headers, body: 'slow down' }),
  html: (): Answer => ({ body: '<html><body>系統忙碌中</body></html>', headers: { 'content-type': 'text/html; charset=big5' } }),
  notFound: (): Answer => ({ status: 404, body: '' }),
};

/** The stand-in parser: HTML is a FormatError, anything else the text itself. */
export async function decode(response: MirrorResponse): Promise<string> {
  const text = new TextDecoder().decode(response.bytes);
  if (text.includes('<')) throw new FormatError('html', 'an HTML page, not a payload', { excerpt: text.slice(0, 40) });
  return text;
}

/**
 * Loopback mirrors, the production client and a scheduler for one test file, closed after
 * each test. `global` counts requests in flight over all mirrors of the test.
 */
export function usePoolHarness() {
  let servers: LoopbackMirror[] = [];
  let clients: MirrorClient[] = [];
  const global = { inFlight: 0, max: 0 };
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(clients.map((c) => c.close()));
    servers = [];
    clients = [];
    global.inFlight = 0;
    global.max = 0;
  });

  /** Starts one mirror per answer function, named m0, m1, … */
  async function mirrors(...behaviours: Array<(request: IncomingMessage) => Answer>): Promise<CountingMirror[]> {
    return Promise.all(
      behaviours.map(async (behaviour, i) => {
        const arrivals: number[] = [];
        const load = { inFlight: 0, max: 0 };
        const handler = (req: IncomingMessage, res: ServerResponse): void => {
          arrivals.push(performance.now());
          load.inFlight += 1;
          global.inFlight += 1;
          load.max = Math.max(load.max, load.inFlight);
          global.max = Math.max(global.max, global.inFlight);
          const answer = behaviour(req);
          setTimeout(() => {
            load.inFlight -= 1;
            global.inFlight -= 1;
            res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
          }, answer.delayMs ?? 0);
        };
        const server = await startLoopbackMirror(handler);
        servers.push(server);
        return { server, mirror: { name: `m${i}`, baseUrl: server.url }, arrivals, load };
      }),
    );
  }

  /** A scheduler and a `fetch(symbol)` bound to it, the real client and real time. */
  function pool(
    counting: readonly CountingMirror[],
    options: Partial<SchedulerOptions> = {},
    retry: Partial<RetryPolicy> = {},
    parse: (response: MirrorResponse) => Promise<string> = decode,
  ) {
    const list = counting.map((c) => c.mirror);
    const settings = { ...DEFAULT_SCHEDULER_OPTIONS, ...options };
    const real = createMirrorClient({ ...DEFAULT_CLIENT_OPTIONS, attemptTimeoutMs: 2_000, connectionsPerOrigin: settings.perMirror });
    clients.push(real);
    // When each request left: the servers share this thread, so their arrival times lag
    // behind whatever CPU work the client side does.
    const sent: number[] = [];
    const client: MirrorClient = {
      ...real,
      get: (...args) => {
        sent.push(performance.now());
        return real.get(...args);
      },
    };
    const random = seeded(7);
    const now = () => performance.now();
    const scheduler: MirrorScheduler = createMirrorScheduler(list, settings, { now, random });
    const ioTurns = createIoTurns();
    let start = 0;
    const fetch = (symbol: string, signal?: AbortSignal): Promise<FetchOutcome<string>> =>
      fetchSymbol(symbol, {
        mirrors: list,
        client,
        query: DEFAULT_QUERY,
        policy: { ...DEFAULT_RETRY_POLICY, ...retry },
        startIndex: start++ % list.length,
        decode: parse,
        sleep,
        now,
        random,
        scheduler,
        ioTurns,
        ...(signal === undefined ? {} : { signal }),
      });
    return { scheduler, fetch, sent };
  }

  return { mirrors, pool, global };
}

/** Symbols 1000, 1001, … */
export const symbols = (count: number): string[] => Array.from({ length: count }, (_, i) => String(1000 + i));
