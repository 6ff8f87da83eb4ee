import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fnv1a32 } from '../../src/batch/shard.js';
import { seeded } from './seeded-random.js';

/** How one farm mirror answers. */
export type MirrorBehaviour = 'ok' | 'down' | 'throttle' | 'blocked';

export interface MirrorFarmOptions {
  /** One behaviour per mirror; the farm has that many mirrors. */
  behaviours: readonly MirrorBehaviour[];
  /** The newest bar every symbol has, YYYY-MM-DD (a weekday). */
  lastDay: string;
  /** Added to every answer, in ms. */
  latencyMs?: number;
  /** The server-side cap on bars, whatever `c` asks (the real mirrors stop near 1,440). */
  maxBars?: number;
}

export interface FarmRequest {
  symbol: string;
  count: number;
}

/** Eight (or any number of) loopback mirrors serving deterministic histories for any symbol. */
export interface MirrorFarm {
  /** `name=url,…` for --brokers / BROKER_URLS; mirrors are named m0, m1, … */
  brokers: string;
  /** Requests each mirror received. */
  requests: FarmRequest[][];
  /** Moves every symbol's history on to `day` (new bars appear). */
  setLastDay(day: string): void;
  /** Adjusts `symbol`'s prices before `day` by `factor`, as an ex-dividend adjustment does. */
  revise(symbol: string, beforeDay: string, factor: number): void;
  setBehaviour(index: number, behaviour: MirrorBehaviour): void;
  /** The bars a symbol has now, oldest first (what a full fetch returns). */
  history(symbol: string): FarmBar[];
  close(): Promise<void>;
}

export interface FarmBar {
  day: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

// Histories start here so that moving lastDay never changes an earlier bar.
const FIRST_DAY = Date.UTC(2019, 0, 1);
const DAY_MS = 86_400_000;

export async function startMirrorFarm(options: MirrorFarmOptions): Promise<MirrorFarm> {
  const behaviours = [...options.behaviours];
  const requests: FarmRequest[][] = behaviours.map(() => []);
  const maxBars = options.maxBars ?? 1440;
  let lastDay = options.lastDay;
  const revisions = new Map<string, Array<{ beforeDay: string; factor: number }>>();

  const history = (symbol: string): FarmBar[] => {
    let bars = generate(symbol, lastDay);
    for (const { beforeDay, factor } of revisions.get(symbol) ?? []) {
      bars = bars.map((bar) => (bar.day < beforeDay ? adjust(bar, factor) : bar));
    }
    return bars;
  };

  const servers: Server[] = [];
  const answer = (index: number, url: URL, res: ServerResponse): void => {
    const symbol = url.searchParams.get('a') ?? '';
    const count = Number(url.searchParams.get('c') ?? '2880');
    requests[index]!.push({ symbol, count });
    const behaviour = behaviours[index];
    if (behaviour === 'down') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
    if (behaviour === 'throttle') return void res.writeHead(429, { 'retry-after': '1' }).end('slow down');
    if (behaviour === 'blocked') {
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>blocked</body></html>');
    }
    const bars = history(symbol).slice(-Math.min(count, maxBars));
    res.writeHead(200, { 'content-type': 'text/html; charset=big5' }).end(djbcd(bars));
  };

  for (let index = 0; index < behaviours.length; index += 1) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://farm');
      if (options.latencyMs) setTimeout(() => answer(index, url, res), options.latencyMs);
      else answer(index, url, res);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const brokers = servers.map((server, i) => `m${i}=http://127.0.0.1:${(server.address() as AddressInfo).port}/`).join(',');

  return {
    brokers,
    requests,
    setLastDay(day) {
      lastDay = day;
    },
    revise(symbol, beforeDay, factor) {
      revisions.set(symbol, [...(revisions.get(symbol) ?? []), { beforeDay, factor }]);
    },
    setBehaviour(index, behaviour) {
      behaviours[index] = behaviour;
    },
    history,
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

/** Weekday bars from FIRST_DAY to `lastDay`, a seeded random walk per symbol (prices on TWSE ticks, volume in lots). */
function generate(symbol: string, lastDay: string): FarmBar[] {
  const random = seeded(fnv1a32(symbol));
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  let price = 20 + random() * 600;
  const bars: FarmBar[] = [];
  for (let t = FIRST_DAY; t <= end; t += DAY_MS) {
    const weekday = new Date(t).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const open = onTick(price * (1 + (random() - 0.5) * 0.02));
    const close = onTick(open * (1 + (random() - 0.5) * 0.04));
    const high = onTick(Math.max(open, close) * (1 + random() * 0.01));
    const low = onTick(Math.min(open, close) * (1 - random() * 0.01));
    bars.push({ day: new Date(t).toISOString().slice(0, 10), open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume: 1_000 + Math.floor(random() * 50_000) });
    price = close;
  }
  return bars;
}

function onTick(price: number): number {
  const tick = price < 10 ? 0.01 : price < 50 ? 0.05 : price < 100 ? 0.1 : price < 500 ? 0.5 : price < 1000 ? 1 : 5;
  return Math.round(Math.round(price / tick) * tick * 100) / 100;
}

function adjust(bar: FarmBar, factor: number): FarmBar {
  const scale = (value: number): number => Math.round(value * factor * 100) / 100;
  return { ...bar, open: scale(bar.open), high: scale(bar.high), low: scale(bar.low), close: scale(bar.close) };
}

/** The six-section body the mirrors send. */
export function djbcd(bars: readonly FarmBar[]): string {
  if (bars.length === 0) return '';
  const column = (pick: (bar: FarmBar) => string | number) => bars.map(pick).join(',');
  return [
    column((bar) => bar.day.replaceAll('-', '/')),
    column((bar) => bar.open),
    column((bar) => bar.high),
    column((bar) => bar.low),
    column((bar) => bar.close),
    column((bar) => bar.volume),
  ].join(' ');
}
