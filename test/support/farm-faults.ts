import type { ServerResponse } from 'node:http';
import { djbcd, scaleBar, type FarmBar } from './farm-history.js';
import { seeded } from './seeded-random.js';

/**
 * What a farm mirror can do wrong with one request:
 * - `reset`: an RST as soon as the request is in. `reset_mid_body`: half the body, then an RST.
 *   `truncated`: half the body of a larger Content-Length, then a close (FIN).
 * - `drip`: the body one byte at a time, slower than any sane body timeout.
 * - `http_429` (no Retry-After), `http_429_retry_after` (Retry-After: 1), `http_503`.
 * - `html`: a block page with status 200. `garbage`: random bytes with status 200.
 * - `empty`: a 200 with no body for a symbol that has a history.
 * - `drop_section`: the payload without its lows (five sections).
 * - `shift_dates`: every date carries the values of the session before.
 * - `disagree`: every price 10 % higher than the truth.
 */
export const FARM_FAULTS = [
  'reset',
  'reset_mid_body',
  'truncated',
  'drip',
  'http_429',
  'http_429_retry_after',
  'http_503',
  'html',
  'garbage',
  'empty',
  'drop_section',
  'shift_dates',
  'disagree',
] as const;

export type FarmFault = (typeof FARM_FAULTS)[number];

/** Which of a mirror's requests go wrong, and how. */
export interface FaultPlan {
  /** Share of the mirror's requests that get each fault, 0–1 (together at most 1), in steps of 1/{@link DECK_SIZE}. */
  rates?: Partial<Record<FarmFault, number>>;
  /** A 503 storm: the mirror's requests `from` … `from + length − 1` (0-based, counted since the plan was set) all get 503. */
  storm?: { from: number; length: number };
}

/**
 * Faults are dealt from a deck of this many cards, one card per request, round and round: a
 * rate of 0.1 is exactly 2 faults in every 20 requests.
 */
export const DECK_SIZE = 20;

/**
 * The fault (or none) for a mirror's n-th request under `plan`. The deck starts with one card
 * of each fault the plan names (in FARM_FAULTS order), so that even a mirror asked only a few
 * times shows every one of them; the other cards follow, shuffled by `seed`.
 */
export function faultSchedule(plan: FaultPlan | undefined, seed: number): (n: number) => FarmFault | undefined {
  const named = FARM_FAULTS.filter((fault) => (plan?.rates?.[fault] ?? 0) > 0);
  const rest: Array<FarmFault | undefined> = named.flatMap((fault) =>
    Array.from({ length: Math.max(1, Math.round(plan!.rates![fault]! * DECK_SIZE)) - 1 }, () => fault),
  );
  if (named.length + rest.length > DECK_SIZE) throw new RangeError(`fault rates add up to more than 1: ${JSON.stringify(plan?.rates)}`);
  while (named.length + rest.length < DECK_SIZE) rest.push(undefined);
  const random = seeded(seed);
  for (let i = rest.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  const deck: Array<FarmFault | undefined> = [...named, ...rest];
  const storm = plan?.storm;
  return (n) => (storm !== undefined && n >= storm.from && n < storm.from + storm.length ? 'http_503' : deck[n % DECK_SIZE]);
}

/** What a faulty answer needs. */
export interface FaultAnswer {
  res: ServerResponse;
  /** The bars asked for (the last `c`), oldest first; empty for a symbol without history. */
  window: readonly FarmBar[];
  /** The bar before the window, if any (dates are shifted onto it). */
  before: FarmBar | undefined;
  random: () => number;
  dripIntervalMs: number;
}

const PAYLOAD_TYPE = { 'content-type': 'text/html; charset=big5' };
const BLOCK_PAGE = '<html><head><title>系統忙碌中</title></head><body>系統忙碌中，請稍後再試</body></html>';
// Sent by transport faults for a symbol without bars: the client never gets to read it whole.
const FILLER = '2019/01/02,2019/01/03 10,11 12,13 9,10 11,12 100,200';

/**
 * Answers with `fault`. Returns false, sending nothing, for a fault about data that the
 * symbol cannot have (no history to hide, shift or falsify): the caller answers normally.
 */
export function answerWithFault(fault: FarmFault, answer: FaultAnswer): boolean {
  const { res, window } = answer;
  const payload = djbcd(window);
  switch (fault) {
    case 'http_429':
      res.writeHead(429, { 'content-type': 'text/plain' }).end('slow down');
      return true;
    case 'http_429_retry_after':
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('slow down');
      return true;
    case 'http_503':
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return true;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(BLOCK_PAGE);
      return true;
    case 'garbage':
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(garbage(answer.random));
      return true;
    case 'reset':
      res.socket?.resetAndDestroy();
      return true;
    case 'reset_mid_body':
    case 'truncated':
      cutShort(res, payload || FILLER, fault);
      return true;
    case 'drip':
      drip(res, payload || FILLER, answer.dripIntervalMs);
      return true;
    case 'empty':
      if (window.length === 0) return false;
      res.writeHead(200, PAYLOAD_TYPE).end();
      return true;
    case 'drop_section':
      if (window.length === 0) return false;
      res.writeHead(200, PAYLOAD_TYPE).end(djbcd(window, 3));
      return true;
    case 'shift_dates': {
      const { before } = answer;
      if (window.length === 0 || before === undefined) return false;
      const shifted = window.map((bar, i) => ({ ...(i === 0 ? before : window[i - 1]!), day: bar.day }));
      res.writeHead(200, PAYLOAD_TYPE).end(djbcd(shifted));
      return true;
    }
    case 'disagree':
      if (window.length === 0) return false;
      res.writeHead(200, PAYLOAD_TYPE).end(djbcd(window.map((bar) => scaleBar(bar, 1.1))));
      return true;
  }
}

/** 512 random bytes, led by a NUL: no text in any charset. */
function garbage(random: () => number): Buffer {
  const bytes = Buffer.alloc(512);
  for (let i = 1; i < bytes.length; i += 1) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** Announces the whole body, sends half, then resets the connection (RST) or closes it (FIN). */
function cutShort(res: ServerResponse, body: string, how: 'reset_mid_body' | 'truncated'): void {
  const bytes = Buffer.from(body);
  res.writeHead(200, { ...PAYLOAD_TYPE, 'content-length': bytes.length });
  res.write(bytes.subarray(0, Math.ceil(bytes.length / 2)), () => {
    if (how === 'truncated') res.socket?.destroy();
    // A moment for the head to be read, so that it is a reset mid-response.
    else setTimeout(() => res.socket?.resetAndDestroy(), 20);
  });
}

/** Sends one byte every `intervalMs` until the body is out or the client hangs up. */
function drip(res: ServerResponse, body: string, intervalMs: number): void {
  const bytes = Buffer.from(body);
  res.writeHead(200, { ...PAYLOAD_TYPE, 'content-length': bytes.length });
  let sent = 0;
  const step = (): void => {
    if (sent >= bytes.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
  };
  const timer = setInterval(step, intervalMs);
  res.once('close', () => clearInterval(timer));
  step();
}
