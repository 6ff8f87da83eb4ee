import type { Socket } from 'node:net';
import type { ConnectCallback, ConnectOptions, Connector } from '../undici-parts.js';

/**
 * A connector (undici's `connect` option) that can open a mirror's sockets ahead of its
 * requests. A batch's first requests otherwise wait for their connections to be set up one
 * after another on the main thread, after the database reads that come first; opened while
 * those reads are awaited, the sockets are ready when the requests go out. undici's pools
 * take them as they would a new connection (same connector, same timeout): nothing else
 * changes. A socket that failed, closed or was never taken is simply not used: the pool
 * connects as it always does.
 */
export interface WarmConnector {
  connect: Connector;
  /** Opens `count` sockets to `origin` (e.g. `http://host:port`) now, for the next connections to it. */
  warm(origin: string, count: number): void;
  /** Closes the sockets opened ahead that no request took. */
  close(): void;
}

/** A claim on a socket opened ahead: whom to give it to, and how to connect anew instead. */
interface Claim {
  callback: ConnectCallback;
  connectAnew: () => void;
}

/** A socket opened ahead: connecting, connected (and unclaimed), taken, or gone. */
class WarmSocket {
  private socket: Socket | undefined;
  private settled = false;
  private discarded = false;
  private claim: Claim | undefined;
  private readonly onIdleError = (): void => {
    // An idle socket reset by the server: it is not handed over.
    this.drop();
  };

  constructor(base: Connector, options: ConnectOptions) {
    base(options, (error, socket) => {
      this.settled = true;
      if (error === null && socket !== null) {
        this.socket = socket;
        socket.on('error', this.onIdleError);
        if (this.discarded) this.drop();
      }
      const claim = this.claim;
      this.claim = undefined;
      if (claim !== undefined) this.handOver(claim);
    });
  }

  /** Gives the socket to the claim once connected; one that failed or closed meanwhile makes it connect anew. */
  handOver(claim: Claim): void {
    if (!this.settled) {
      this.claim = claim;
      return;
    }
    const socket = this.socket;
    this.socket = undefined;
    socket?.off('error', this.onIdleError);
    if (socket === undefined || socket.destroyed || !socket.writable) {
      socket?.destroy();
      claim.connectAnew();
      return;
    }
    claim.callback(null, socket);
  }

  /** Closes the socket if no request took it (one still connecting, once it connects). */
  discard(): void {
    this.discarded = true;
    this.drop();
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.off('error', this.onIdleError);
    socket?.on('error', () => {}).destroy();
  }
}

/** Wraps `base` (undici's own connector) with sockets opened ahead, handed out first come, first served. */
export function createWarmConnector(base: Connector): WarmConnector {
  const ahead = new Map<string, WarmSocket[]>();
  const keyOf = (protocol: string, hostname: string, port: string): string => `${protocol}//${hostname}:${port}`;

  const connect: Connector = (options, callback) => {
    const waiting = ahead.get(keyOf(options.protocol, options.hostname, options.port));
    const warm = waiting?.shift();
    if (warm === undefined) base(options, callback);
    // Never within the call: a pool asks for a connection from inside its own dispatch loop,
    // which ignores a connection handed back before it returns (as undici's connector never does).
    else queueMicrotask(() => warm.handOver({ callback, connectAnew: () => base(options, callback) }));
  };

  return {
    connect,
    warm(origin, count) {
      const url = new URL(origin);
      // As undici's pools ask for it: an IPv6 address without its brackets.
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const options: ConnectOptions = { hostname, host: url.host, protocol: url.protocol, port: url.port };
      const key = keyOf(url.protocol, hostname, url.port);
      const list = ahead.get(key) ?? [];
      ahead.set(key, list);
      for (let i = 0; i < count; i++) list.push(new WarmSocket(base, options));
    },
    close() {
      for (const list of ahead.values()) for (const warm of list.splice(0)) warm.discard();
    },
  };
}

/**
 * Sockets to open ahead per mirror: as many as the batch will have in flight to it at the
 * start (its share of the global limit, at most the per-mirror limit), and no more in all
 * than there are symbols to fetch.
 */
export function socketsAhead(limits: { mirrors: number; concurrency: number; perMirror: number; symbols: number }): number {
  if (limits.mirrors < 1) return 0;
  const inFlight = Math.min(limits.concurrency, limits.symbols);
  return Math.max(0, Math.min(limits.perMirror, Math.ceil(inFlight / limits.mirrors)));
}
