import { performance } from 'node:perf_hooks';
import { Agent, redirectInterceptor, request, type Dispatcher } from '../undici-parts.js';
import { charsetOf, contentLengthOf } from '../mirrors/response-headers.js';
import type { SourceRefusal } from './source-refusal.js';

/** Limits of the client that reads the exchange's reference pages. */
export interface SourceClientOptions {
  /** The whole request, connect to last byte, in milliseconds. The ISIN pages are several MB from a slow server. */
  timeoutMs: number;
  /** Larger bodies are refused (`too_large`) without being held whole, in bytes. The TWSE ISIN page is about 10 MB with every warrant. */
  maxBytes: number;
  userAgent: string;
}

/** A 2xx answer, or why there is none. */
export type SourceAnswer =
  | { ok: true; status: number; bytes: Uint8Array; charset: string | undefined; ms: number }
  | { ok: false; refusal: SourceRefusal; ms: number };

/**
 * GETs one reference page. Never rejects for what the source did (an error status, a
 * reset, a timeout, a body over the cap are answers with `ok: false`); rejects only with
 * `signal.reason` when the caller aborts.
 */
export type FetchSource = (url: string, signal?: AbortSignal) => Promise<SourceAnswer>;

/** A {@link FetchSource} over its own undici Agent; `close()` when done. */
export interface SourceClient {
  fetch: FetchSource;
  close(): Promise<void>;
}

// Enough of an error page to keep its socket reusable; beyond it the socket is dropped.
const DISCARD_LIMIT_BYTES = 64 * 1024;

/** Creates the client: up to 3 redirects followed, every answer bounded in time and size. */
export function createSourceClient(options: SourceClientOptions): SourceClient {
  const agent = new Agent({
    connect: { timeout: Math.min(options.timeoutMs, 30_000) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const dispatcher = agent.compose(redirectInterceptor({ maxRedirections: 3 }));

  async function fetchSource(url: string, signal?: AbortSignal): Promise<SourceAnswer> {
    signal?.throwIfAborted();
    const started = performance.now();
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    const refused = (refusal: SourceRefusal): SourceAnswer => ({ ok: false, refusal, ms: performance.now() - started });
    try {
      const response = await request(dispatcher, url, {
        method: 'GET',
        signal: combined,
        headers: { 'user-agent': options.userAgent, accept: 'text/html,application/json;q=0.9,*/*;q=0.8' },
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        await response.body.dump({ limit: DISCARD_LIMIT_BYTES }).catch(() => undefined);
        return refused({ reason: 'http_status', status: response.statusCode, message: `HTTP ${response.statusCode}` });
      }
      const declared = contentLengthOf(response.headers['content-length']);
      if (declared !== undefined && declared > options.maxBytes) {
        dropBody(response.body);
        return refused({ reason: 'too_large', message: `body of ${declared} bytes is over the ${options.maxBytes}-byte cap` });
      }
      const bytes = await readCapped(response.body, options.maxBytes);
      if (bytes === undefined) return refused({ reason: 'too_large', message: `body over the ${options.maxBytes}-byte cap` });
      return { ok: true, status: response.statusCode, bytes, charset: charsetOf(response.headers['content-type']), ms: performance.now() - started };
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (timeout.aborted || isTimeout(error)) return refused({ reason: 'timeout', message: `no complete answer within ${options.timeoutMs} ms` });
      return refused({ reason: 'network', message: describe(error) });
    }
  }

  return { fetch: fetchSource, close: () => agent.close() };
}

/** The whole body, or undefined once it passes `maxBytes` (the rest is not read). */
async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      dropBody(body);
      return undefined;
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

/** Drops a body unread (its socket with it); the abort it reports is expected, not an error. */
function dropBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && TIMEOUT_CODES.has(code)) || (error as { name?: unknown } | null)?.name === 'TimeoutError';
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code} ${text}`.trim() : text || 'network error';
}
