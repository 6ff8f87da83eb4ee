import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerWithFault, FARM_FAULTS, faultSchedule, type FarmFault, type FaultPlan } from './farm-faults.js';
import { djbcd, generateHistory, scaleBar, type FarmBar } from './farm-history.js';
import { seeded } from './seeded-random.js';

export { djbcd, type FarmBar } from './farm-history.js';
export { FARM_FAULTS, type FarmFault, type FaultPlan } from './farm-faults.js';

/**
 * How one farm mirror answers every request: `ok` (the truth, unless its fault plan says
 * otherwise), `down` (503), `throttle` (429, Retry-After: 1), `blocked` (a 200 HTML page),
 * `refused` (nothing listens on its port: every connection is refused).
 */
export type MirrorBehaviour = 'ok' | 'down' | 'throttle' | 'blocked' | 'refused';

export interface MirrorFarmOptions {
  /** One behaviour per mirror; the farm has that many mirrors. */
  behaviours: readonly MirrorBehaviour[];
  /** The newest bar every symbol has, YYYY-MM-DD (a weekday). */
  lastDay: string;
  /** Added to every answer, in ms. */
  latencyMs?: number;
  /** The server-side cap on bars, whatever `c` asks (the real mirrors stop near 1,440). */
  maxBars?: number;
  /** Per mirror, the faults its `ok` answers are dealt (see FaultPlan); none by default. */
  faults?: ReadonlyArray<FaultPlan | undefined>;
  /** Seeds the fault decks and garbage bytes: the same seed deals the same faults to the same request numbers. */
  seed?: number;
  /** A `drip` fault sends one byte this often (default 1,500 ms). */
  dripIntervalMs?: number;
  /** Symbols no mirror has any bar for (every answer is an empty body). */
  unknownSymbols?: readonly string[];
  /** The first day of every history (default 2019-01-01); a later one keeps whole histories small. */
  firstDay?: string;
}

export interface FarmRequest {
  symbol: string;
  count: number;
}

/** Per fault, how many answers carried it. */
export type FaultCounts = Record<FarmFault, number>;

/** Eight (or any number of) loopback mirrors serving deterministic histories for any symbol. */
export interface MirrorFarm {
  /** `name=url,…` for --brokers / BROKER_URLS; mirrors are named m0, m1, … */
  brokers: string;
  /** Requests each mirror received (none for a `refused` mirror: it never sees one). */
  requests: FarmRequest[][];
  /** Per mirror, the faults injected so far (behaviours included: `down` counts as http_503 …). */
  injected: FaultCounts[];
  /** Moves every symbol's history on to `day` (new bars appear). */
  setLastDay(day: string): void;
  /** Adjusts `symbol`'s prices before `day` by `factor`, as an ex-dividend adjustment does. */
  revise(symbol: string, beforeDay: string, factor: number): void;
  /** Changes a mirror's behaviour; a mirror cannot become or stop being `refused`. */
  setBehaviour(index: number, behaviour: MirrorBehaviour): void;
  /** Deals a mirror a new fault plan; its request numbers start again from 0. */
  setFaults(index: number, plan: FaultPlan | undefined): void;
  /** The bars a symbol has now, oldest first (what a full fetch returns). */
  history(symbol: string): FarmBar[];
  close(): Promise<void>;
}

const BEHAVIOUR_FAULTS: Partial<Record<MirrorBehaviour, FarmFault>> = {
  down: 'http_503',
  throttle: 'http_429_retry_after',
  blocked: 'html',
};

export async function startMirrorFarm(options: MirrorFarmOptions): Promise<MirrorFarm> {
  const behaviours = [...options.behaviours];
  const requests: FarmRequest[][] = behaviours.map(() => []);
  const injected: FaultCounts[] = behaviours.map(() => zeroCounts());
  const maxBars = options.maxBars ?? 1440;
  const seed = options.seed ?? 1;
  const unknown = new Set(options.unknownSymbols ?? []);
  const random = seeded(seed);
  let lastDay = options.lastDay;
  const revisions = new Map<string, Array<{ beforeDay: string; factor: number }>>();
  // Per mirror: its deck, its requests since the deck was dealt, and how many decks it was dealt.
  const deal = (index: number, plan: FaultPlan | undefined, generation: number) => ({
    schedule: faultSchedule(plan, seed * 1_000 + index * 10 + generation),
    served: 0,
    generation,
  });
  const decks = behaviours.map((_, index) => deal(index, options.faults?.[index], 0));

  const history = (symbol: string): FarmBar[] => {
    if (unknown.has(symbol)) return [];
    let bars = generateHistory(symbol, lastDay, options.firstDay);
    for (const { beforeDay, factor } of revisions.get(symbol) ?? []) {
      bars = bars.map((bar) => (bar.day < beforeDay ? scaleBar(bar, factor) : bar));
    }
    return bars;
  };

  const answer = (index: number, url: URL, res: ServerResponse): void => {
    const symbol = url.searchParams.get('a') ?? '';
    const count = Number(url.searchParams.get('c') ?? '2880');
    requests[index]!.push({ symbol, count });
    const all = history(symbol);
    const take = Math.min(count, maxBars);
    const window = all.slice(-take);
    const before = all.length > take ? all[all.length - take - 1] : undefined;
    const deck = decks[index]!;
    const fault = BEHAVIOUR_FAULTS[behaviours[index]!] ?? deck.schedule(deck.served);
    deck.served += 1;
    if (fault !== undefined && answerWithFault(fault, { res, window, before, random, dripIntervalMs: options.dripIntervalMs ?? 1_500 })) {
      injected[index]![fault] += 1;
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=big5' }).end(djbcd(window));
  };

  const servers: Array<Server | undefined> = [];
  const urls: string[] = [];
  for (let index = 0; index < behaviours.length; index += 1) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://farm');
      if (options.latencyMs) setTimeout(() => answer(index, url, res), options.latencyMs);
      else answer(index, url, res);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    // A port that was ours a moment ago and now refuses every connection.
    if (behaviours[index] === 'refused') await closeServer(server);
    servers.push(behaviours[index] === 'refused' ? undefined : server);
  }
  const brokers = urls.map((url, i) => `m${i}=${url}`).join(',');

  return {
    brokers,
    requests,
    injected,
    setLastDay(day) {
      lastDay = day;
    },
    revise(symbol, beforeDay, factor) {
      revisions.set(symbol, [...(revisions.get(symbol) ?? []), { beforeDay, factor }]);
    },
    setBehaviour(index, behaviour) {
      if ((behaviour === 'refused') !== (behaviours[index] === 'refused')) throw new Error('a mirror is refused from the start or never');
      behaviours[index] = behaviour;
    },
    setFaults(index, plan) {
      decks[index] = deal(index, plan, decks[index]!.generation + 1);
    },
    history,
    close: async () => {
      await Promise.all(servers.map((server) => (server === undefined ? undefined : closeServer(server))));
    },
  };
}

function zeroCounts(): FaultCounts {
  return Object.fromEntries(FARM_FAULTS.map((fault) => [fault, 0])) as FaultCounts;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
