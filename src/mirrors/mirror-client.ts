import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { MirrorError } from '../errors.js';
import { createAbortScope } from './abort-scope.js';
import { buildDjbcdUrl, DEFAULT_USER_AGENT, requestHeaders } from './djbcd-url.js';
import type { DjbcdQuery } from './djbcd-url.js';
import type { Mirror } from './mirror-list.js';
import { toMirrorError } from './network-error.js';
import { discardBody, dropBody, readBounded } from './read-body.js';
import { charsetOf, contentLengthOf, isTransientStatus, parseRetryAfter } from './response-headers.js';

/** Timeouts (milliseconds), limits and identity of the HTTP client. */
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
  /** How long an idle socket is kept when the server sends no Keep-Alive hint (undici's default: 4000). */
  keepAliveTimeoutMs?: number;
}

/** 5 s connect, 15 s headers, 15 s body, 20 s in all, 4 MiB, two sockets per mirror. */
export const DEFAULT_CLIENT_OPTIONS: Readonly<MirrorClientOptions> = Object.freeze({
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  attemptTimeoutMs: 20_000,
  maxBodyBytes: 4 * 1024 * 1024,
  userAgent: DEFAULT_USER_AGENT,
  connectionsPerOrigin: 2,
  keepAliveTimeoutMs: 4_000,
});

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

/** Sends one request to one mirror. */
export interface MirrorClient {
  /**
   * GETs the djbcd payload of `symbol`. Rejects with a {@link MirrorError} for every
   * mirror failure (`transient` says whether another try may help), or with
   * `signal.reason` when the caller aborted.
   */
  get(mirror: Mirror, symbol: string, query: DjbcdQuery, signal?: AbortSignal): Promise<MirrorResponse>;
  /** Connections opened to the mirror's origin so far: few means keep-alive works (no socket churn). */
  connectionsOpened(mirror: Mirror): number;
  /** Closes the keep-alive pools once in-flight requests have ended. */
  close(): Promise<void>;
}

// An error page is drained up to this size so its socket can be reused; beyond it the socket is dropped.
const DISCARD_LIMIT_BYTES = 64 * 1024;

/** An undici Agent (a keep-alive Pool per mirror origin) behind the {@link MirrorClient} interface. */
export function createMirrorClient(options: MirrorClientOptions): MirrorClient {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.keepAliveTimeoutMs,
    connections: options.connectionsPerOrigin,
  });
  const opened = new Map<string, number>();
  agent.on('connect', (origin) => opened.set(origin.origin, (opened.get(origin.origin) ?? 0) + 1));

  async function get(mirror: Mirror, symbol: string, query: DjbcdQuery, signal?: AbortSignal): Promise<MirrorResponse> {
    signal?.throwIfAborted();
    const started = performance.now();
    const scope = createAbortScope(
      signal,
      options.attemptTimeoutMs,
      () =>
        new MirrorError('E_MIRROR_TIMEOUT', mirror.name, `${mirror.name}: no complete answer within ${options.attemptTimeoutMs} ms`, {
          transient: true,
        }),
    );
    // A failure once a 2xx head is in cut the answer short: the fault kinds tell the two apart.
    let stage: 'request' | 'body' = 'request';
    try {
      const response = await request(buildDjbcdUrl(mirror, symbol, query), {
        dispatcher: agent,
        method: 'GET',
        headers: requestHeaders(mirror, options.userAgent),
        signal: scope.signal,
      });
      const { statusCode: status, headers, body } = response;
      if (status < 200 || status > 299) {
        // undici keeps the socket busy until the body is read or dropped: never leave one behind.
        await discardBody(body, DISCARD_LIMIT_BYTES);
        throw new MirrorError('E_MIRROR_HTTP', mirror.name, `${mirror.name}: HTTP ${status}`, {
          status,
          transient: isTransientStatus(status),
          retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()),
        });
      }
      const tooLarge = (): MirrorError =>
        new MirrorError('E_MIRROR_TOO_LARGE', mirror.name, `${mirror.name}: body over ${options.maxBodyBytes} bytes`, {
          status,
          transient: true,
        });
      const declared = contentLengthOf(headers['content-length']);
      if (declared !== undefined && declared > options.maxBodyBytes) {
        dropBody(body);
        throw tooLarge();
      }
      stage = 'body';
      const bytes = await readBounded(body, options.maxBodyBytes, tooLarge);
      return { status, bytes, charset: charsetOf(headers['content-type']), ms: performance.now() - started };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // A status already received (even from an error page that then stalled) says more than the timeout.
      if (error instanceof MirrorError) throw error;
      if (scope.timedOut()) throw scope.signal.reason;
      throw toMirrorError(mirror.name, error, stage);
    } finally {
      scope.dispose();
    }
  }

  return {
    get,
    connectionsOpened: (mirror) => opened.get(new URL(mirror.baseUrl).origin) ?? 0,
    close: () => agent.close(),
  };
}
