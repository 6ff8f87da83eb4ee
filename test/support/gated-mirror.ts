import type { ServerResponse } from 'node:http';
import { startLoopbackMirror } from './loopback-mirror.js';
import { djbcd, type FarmBar } from './mirror-farm.js';

/**
 * A loopback mirror whose answers pass a gate the test opens and shuts, so that a run is
 * provably mid-way (requests held in flight) when the test acts, whatever the machine's load.
 */
export interface GatedMirror {
  /** Base URL, for --brokers. */
  url: string;
  /** Symbols asked for, in arrival order. */
  requested: string[];
  /** Answers from now on wait at the gate. */
  shut(): void;
  /** Sends every waiting answer and lets later ones straight through. */
  open(): void;
  /** Requests waiting at the gate now. */
  held(): number;
  /** Held requests whose client went away before the gate opened (cancelled by the crawler). */
  abandoned(): number;
  close(): Promise<void>;
}

export interface GatedMirrorOptions {
  /** The bars a symbol has, oldest first; the mirror sends the last `c` of them (at most `maxBars`). */
  history: (symbol: string) => FarmBar[];
  /** Answer this many requests, then shut the gate by itself. Default: shut from the start. */
  passFirst?: number;
  /** The server-side cap on bars, as the real mirrors stop near 1,440. */
  maxBars?: number;
}

/** Resolves once `mirror` holds at least `count` requests at its gate. */
export async function heldAtGate(mirror: GatedMirror, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (mirror.held() < count) {
    if (Date.now() > deadline) throw new Error(`only ${mirror.held()} requests reached the gate`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startGatedMirror(options: GatedMirrorOptions): Promise<GatedMirror> {
  const requested: string[] = [];
  const waiting = new Set<() => void>();
  let passes = options.passFirst ?? 0;
  let open = false;
  let abandoned = 0;

  const answer = (res: ServerResponse, symbol: string, count: number): void => {
    if (res.destroyed) return;
    const bars = options.history(symbol).slice(-Math.min(count, options.maxBars ?? 1440));
    res.writeHead(200, { 'content-type': 'text/html; charset=big5' }).end(djbcd(bars));
  };

  const mirror = await startLoopbackMirror((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gate');
    const symbol = url.searchParams.get('a') ?? '';
    const count = Number(url.searchParams.get('c') ?? '2880');
    requested.push(symbol);
    if (open || passes > 0) {
      passes -= 1;
      answer(res, symbol, count);
      return;
    }
    const release = (): void => {
      waiting.delete(release);
      answer(res, symbol, count);
    };
    waiting.add(release);
    res.on('close', () => {
      if (!waiting.delete(release)) return;
      abandoned += 1;
    });
  });

  return {
    url: mirror.url,
    requested,
    shut() {
      open = false;
      passes = 0;
    },
    open() {
      open = true;
      for (const release of [...waiting]) release();
    },
    held: () => waiting.size,
    abandoned: () => abandoned,
    close: () => mirror.close(),
  };
}
