/**
 * The benchmark's mirror farm, run as a child process of bench.ts (so the crawler
 * under test and the farm are separate processes, as they are in production):
 * `mirrors` HTTP servers on 127.0.0.1 serving pre-generated bodies, each answer
 * delayed by `latencyMs`, a seeded fraction `errorRate` answered 503.
 *
 * Protocol (IPC): the parent sends a FarmConfig; the child answers { brokers } once
 * every body is built and every server listens. { type: 'stats' } → FarmStats;
 * { type: 'reset' } zeroes the counters.
 */
import { Buffer } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seeded } from '../support/seeded-random.js';
import { epochMs } from './epoch-ms.js';
import { benchHistory, benchSymbols, djbcdBody, weekdaysEnding } from './bench-history.js';
import { sectionBounds, tailBody, type SectionBounds } from './djbcd-tail.js';

export interface FarmConfig {
  type: 'start';
  mirrors: number;
  symbols: number;
  /** Bars each symbol has, ending at lastDay. */
  bars: number;
  lastDay: string;
  /** Most bars one answer carries, whatever `c` asks (the real mirrors stop near 1,440). */
  maxBars: number;
  latencyMs: number;
  errorRate: number;
}

export interface MirrorCounters {
  requests: number;
  errors: number;
  bytes: number;
  connections: number;
}

export type FarmStats = {
  type: 'stats';
  mirrors: MirrorCounters[];
  /** When the first request since the last reset arrived, and the last answer was sent (epochMs). */
  firstRequestAt: number | null;
  lastAnswerAt: number | null;
  /** Arrival to answer sent, per request, in ms: the latency the farm really gave (its own event loop adds to the set delay). */
  holdMs: number[];
  /** An answer sent to the next request's arrival on the same connection, in ms: the crawler's turnaround. */
  turnaroundMs: number[];
};

interface Prepared {
  /** The body of a full fetch, built once; shorter answers are cut from it. */
  full: Buffer;
  bounds: SectionBounds;
}

const HEADERS = { 'content-type': 'text/html; charset=big5' };

function prepare(config: FarmConfig): Map<string, Prepared> {
  const days = weekdaysEnding(config.lastDay, config.bars);
  const prepared = new Map<string, Prepared>();
  for (const symbol of benchSymbols(config.symbols)) {
    const full = Buffer.from(djbcdBody(benchHistory(symbol, days), config.maxBars), 'latin1');
    prepared.set(symbol, { full, bounds: sectionBounds(full) });
  }
  return prepared;
}

const window: { first: number | null; last: number | null; holdMs: number[]; turnaroundMs: number[] } = { first: null, last: null, holdMs: [], turnaroundMs: [] };
// When each connection last sent an answer: the next request on it measures the client's turnaround.
const answeredAt = new WeakMap<object, number>();

async function start(config: FarmConfig): Promise<{ brokers: string; counters: MirrorCounters[]; servers: Server[] }> {
  const prepared = prepare(config);
  const random = seeded(0x5eed);
  const counters: MirrorCounters[] = [];
  const servers: Server[] = [];
  for (let index = 0; index < config.mirrors; index += 1) {
    const counter: MirrorCounters = { requests: 0, errors: 0, bytes: 0, connections: 0 };
    const server = createServer((req, res) => {
      counter.requests += 1;
      const arrivedAt = epochMs();
      window.first ??= arrivedAt;
      const previous = answeredAt.get(req.socket);
      if (previous !== undefined) window.turnaroundMs.push(arrivedAt - previous);
      const url = new URL(req.url ?? '/', 'http://farm');
      const answer = (): void => {
        if (random() < config.errorRate) {
          counter.errors += 1;
          res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
          window.last = epochMs();
          answeredAt.set(req.socket, window.last);
          window.holdMs.push(window.last - arrivedAt);
          return;
        }
        const entry = prepared.get(url.searchParams.get('a') ?? '');
        const count = Math.min(Number(url.searchParams.get('c') ?? '2880'), config.maxBars);
        const body =
          entry === undefined ? Buffer.alloc(0) : count >= config.maxBars ? entry.full : tailBody(entry.full, entry.bounds, count);
        counter.bytes += body.length;
        res.writeHead(200, { ...HEADERS, 'content-length': body.length }).end(body);
        window.last = epochMs();
        answeredAt.set(req.socket, window.last);
        window.holdMs.push(window.last - arrivedAt);
      };
      if (config.latencyMs > 0) setTimeout(answer, config.latencyMs);
      else answer();
    });
    server.on('connection', () => {
      counter.connections += 1;
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    counters.push(counter);
    servers.push(server);
  }
  const brokers = servers.map((server, i) => `m${i}=http://127.0.0.1:${(server.address() as AddressInfo).port}/`).join(',');
  return { brokers, counters, servers };
}

if (process.send !== undefined) {
  let counters: MirrorCounters[] = [];
  process.on('message', (message: FarmConfig | { type: 'stats' | 'reset' }) => {
    if (message.type === 'start') {
      void start(message).then((farm) => {
        counters = farm.counters;
        process.send?.({ type: 'ready', brokers: farm.brokers });
      });
    } else if (message.type === 'stats') {
      const stats: FarmStats = { type: 'stats', mirrors: counters.map((counter) => ({ ...counter })), firstRequestAt: window.first, lastAnswerAt: window.last, holdMs: window.holdMs, turnaroundMs: window.turnaroundMs };
      process.send?.(stats);
    } else if (message.type === 'reset') {
      for (const counter of counters) Object.assign(counter, { requests: 0, errors: 0, bytes: 0, connections: 0 });
      window.first = null;
      window.last = null;
      window.holdMs = [];
      window.turnaroundMs = [];
      process.send?.({ type: 'reset' });
    }
  });
  // The parent going away ends the farm.
  process.on('disconnect', () => process.exit(0));
}
