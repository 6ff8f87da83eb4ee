import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, type Dispatcher } from '../undici-parts.js';
import { MirrorError } from '../errors.js';
import { onAbort } from '../on-abort.js';
import { DJBCD_PATH, djbcdSearch, requestHeaders } from './djbcd-url.js';
import type { DjbcdQuery } from './djbcd-url.js';
import type { Mirror } from './mirror-list.js';
import { toMirrorError } from './network-error.js';
import { createWarmConnector } from './warm-connector.js';
import { charsetOf, contentLengthOf, isTransientStatus, parseRetryAfter } from './response-headers.js';

/** Timeouts (milliseconds), limits and identity of the HTTP client (defaults in config/options.ts). */
export interface MirrorClientOptions {
  /** TCP (and TLS) connect. */
  connectTimeoutMs: number;
  /** From the request being sent to the response headers. */
  headersTimeoutMs: number;
  /** Longest silence between two body chunks. */
  bodyTimeoutMs: number;
  /** The whole attempt, connect to last byte. */
  attemptTimeoutMs: number;
  /** Larger bodies are rejected (E_MIRROR_TOO_LARGE) without being held whole. */
  maxBodyBytes: number;
  userAgent: string;
  /** Keep-alive sockets per mirror origin. */
  connectionsPerOrigin: number;
  /** How long an idle socket is kept when the server sends no Keep-Alive hint (default: {@link KEEP_ALIVE_FALLBACK_MS}). */
  keepAliveTimeoutMs?: number;
}

/** Idle keep-alive time when the server sends no Keep-Alive hint and none is given: undici's own default. */
export const KEEP_ALIVE_FALLBACK_MS = 4_000;

/** A 2xx answer: the raw body and the charset its Content-Type declared (decoding is the parser's job). */
export interface MirrorResponse {
  status: number;
  /** Exactly the body, in a buffer of its own (transferable). */
  bytes: Uint8Array;
  /** Lower-cased `charset` of the Content-Type, when declared. */
  charset: string | undefined;
  /** Request start to last body byte. */
  ms: number;
}

/** A limit of the caller's (a symbol's deadline): after `afterMs` the request is cut off and rejected with `reason()`, unless the attempt timeout comes first. */
export interface Cutoff {
  afterMs: number;
  reason: () => unknown;
}

/** Sends one request to one mirror. */
export interface MirrorClient {
  /**
   * GETs the djbcd payload of `symbol`. Rejects with a {@link MirrorError} for every
   * mirror failure (`transient` says whether another try may help), with
   * `signal.reason` when the caller aborted, or with the cutoff's reason once it passed.
   */
  get(mirror: Mirror, symbol: string, query: DjbcdQuery, signal?: AbortSignal, cutoff?: Cutoff): Promise<MirrorResponse>;
  /** Opens `sockets` connections to the mirror now, for its next requests to take (see warm-connector.ts). */
  warm(mirror: Mirror, sockets: number): void;
  /** Connections opened to the mirror's origin so far: few means keep-alive works (no socket churn). */
  connectionsOpened(mirror: Mirror): number;
  /** Closes the keep-alive pools once in-flight requests have ended, and the sockets opened ahead that none took. */
  close(): Promise<void>;
}

// An error page is drained up to this size so its socket can be reused; beyond it the socket is dropped.
const DISCARD_LIMIT_BYTES = 64 * 1024;

/** Where and how a mirror is asked, worked out once per mirror rather than per request. */
interface MirrorTarget {
  origin: string;
  /** The endpoint's path, base path prefix included. */
  path: string;
  headers: Record<string, string>;
}

/**
 * An undici Agent (a keep-alive Pool per mirror origin) behind the {@link MirrorClient} interface.
 * Requests go through `dispatch` with a handler that gathers the body itself: a nightly run
 * makes thousands of small requests, and the stream, URL parsing and abort signal plumbing of
 * `request()` cost more main-thread time than the answer's bytes.
 */
export function createMirrorClient(options: MirrorClientOptions): MirrorClient {
  const connector = createWarmConnector(buildConnector({ timeout: options.connectTimeoutMs }));
  const agent = new Agent({
    connect: connector.connect,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? KEEP_ALIVE_FALLBACK_MS,
    connections: options.connectionsPerOrigin,
  });
  const opened = new Map<string, number>();
  agent.on('connect', (origin) => opened.set(origin.origin, (opened.get(origin.origin) ?? 0) + 1));
  const targets = new WeakMap<Mirror, MirrorTarget>();
  const targetOf = (mirror: Mirror): MirrorTarget => {
    let target = targets.get(mirror);
    if (target === undefined) {
      const url = new URL(DJBCD_PATH, mirror.baseUrl);
      target = { origin: url.origin, path: url.pathname, headers: requestHeaders(mirror, options.userAgent) };
      targets.set(mirror, target);
    }
    return target;
  };

  function get(mirror: Mirror, symbol: string, query: DjbcdQuery, signal?: AbortSignal, cutoff?: Cutoff): Promise<MirrorResponse> {
    try {
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    const target = targetOf(mirror);
    return new Promise<MirrorResponse>((resolve, reject) => {
      const exchange = new Exchange(mirror.name, options, { signal, cutoff }, resolve, reject);
      agent.dispatch({ origin: target.origin, path: `${target.path}?${djbcdSearch(symbol, query)}`, method: 'GET', headers: target.headers }, exchange);
    });
  }

  return {
    get,
    warm: (mirror, sockets) => connector.warm(targetOf(mirror).origin, sockets),
    connectionsOpened: (mirror) => opened.get(new URL(mirror.baseUrl).origin) ?? 0,
    close: () => {
      connector.close();
      return agent.close();
    },
  };
}

/**
 * One request's undici handler, settling its promise exactly once: with the body, with a
 * {@link MirrorError}, or with the caller's abort reason. The attempt timeout and the caller's
 * abort cut the request off (its socket is dropped); an error page already received is still
 * reported as such, since its status says more than the timeout.
 */
class Exchange {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | undefined;
  /** Why the request was cut off before undici handed over its controller. */
  private cutReason: unknown;
  private settled = false;
  private status = 0;
  private charset: string | undefined;
  /** Set for a non-2xx answer: the error reported once its page is drained (or given up). */
  private errorPage: MirrorError | undefined;
  private readonly chunks: Uint8Array[] = [];
  private received = 0;

  private readonly signal: AbortSignal | undefined;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly mirror: string,
    private readonly options: MirrorClientOptions,
    limits: { signal: AbortSignal | undefined; cutoff: Cutoff | undefined },
    private readonly resolve: (response: MirrorResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const { signal, cutoff } = limits;
    // One timer for both limits: the caller's cutoff when it comes first.
    const cutoffFirst = cutoff !== undefined && cutoff.afterMs <= options.attemptTimeoutMs;
    const onTimer = cutoffFirst ? () => this.cutOff(cutoff.reason()) : () => this.timedOut();
    this.timer = setTimeout(onTimer, Math.max(0, cutoffFirst ? cutoff.afterMs : options.attemptTimeoutMs));
    this.signal = signal;
    this.unsubscribe = signal === undefined ? undefined : onAbort(signal, this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(asError(this.cutReason));
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[]>): void {
    if (status < 200 || this.settled) return;
    this.status = status;
    if (status > 299) {
      this.errorPage = new MirrorError('E_MIRROR_HTTP', this.mirror, `${this.mirror}: HTTP ${status}`, {
        status,
        transient: isTransientStatus(status),
        retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()),
      });
      const declared = contentLengthOf(headers['content-length']);
      // undici keeps the socket busy until the body is read or dropped: never leave one behind.
      if (declared !== undefined && declared > DISCARD_LIMIT_BYTES) this.cut(controller, this.errorPage);
      return;
    }
    const declared = contentLengthOf(headers['content-length']);
    if (declared !== undefined && declared > this.options.maxBodyBytes) {
      this.cut(controller, this.tooLarge());
      return;
    }
    this.charset = charsetOf(headers['content-type']);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.received += chunk.byteLength;
    if (this.errorPage !== undefined) {
      if (this.received > DISCARD_LIMIT_BYTES) this.cut(controller, this.errorPage);
      return;
    }
    if (this.received > this.options.maxBodyBytes) {
      this.cut(controller, this.tooLarge());
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    if (this.errorPage !== undefined) {
      this.fail(this.errorPage);
      return;
    }
    this.finish();
    this.resolve({ status: this.status, bytes: this.body(), charset: this.charset, ms: performance.now() - this.started });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    // A reset while draining an error page changes nothing about the answer already in.
    if (this.errorPage !== undefined) this.fail(this.errorPage);
    // A failure once a 2xx head is in cut the answer short: the fault kinds tell the two apart.
    else this.fail(toMirrorError(this.mirror, error, this.status === 0 ? 'request' : 'body'));
  }

  private readonly onAbort = (): void => {
    this.cutOff(this.signal?.reason);
  };

  private timedOut(): void {
    const { attemptTimeoutMs } = this.options;
    this.cutOff(
      this.errorPage ??
        new MirrorError('E_MIRROR_TIMEOUT', this.mirror, `${this.mirror}: no complete answer within ${attemptTimeoutMs} ms`, { transient: true }),
    );
  }

  /** Settles with `reason` and drops the request, now or as soon as undici starts it. */
  private cutOff(reason: unknown): void {
    if (this.settled) return;
    this.cutReason = reason;
    if (this.controller === undefined) this.fail(reason);
    else this.cut(this.controller, reason);
  }

  private cut(controller: Dispatcher.DispatchController, reason: unknown): void {
    this.fail(reason);
    // Aborting closes the socket; the error undici then reports is ignored (settled).
    controller.abort(asError(reason));
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
  }

  private tooLarge(): MirrorError {
    return new MirrorError('E_MIRROR_TOO_LARGE', this.mirror, `${this.mirror}: body over ${this.options.maxBodyBytes} bytes`, {
      status: this.status,
      transient: true,
    });
  }

  /** Exactly the body, in an ArrayBuffer of its own (transferable to a parser thread). */
  private body(): Uint8Array {
    const bytes = new Uint8Array(this.received);
    let offset = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
