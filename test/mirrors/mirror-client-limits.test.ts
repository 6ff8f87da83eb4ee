import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../support/defaults.js';
import { ENDPOINT, MiB, mirrorErrorOf, streamingHandler, useClientHarness } from './client-harness.js';

const { serve, client } = useClientHarness();

describe('mirror client: timeouts', () => {
  it('a server that never answers hits the headers timeout', async () => {
    const { mirror } = await serve(() => {});
    const started = Date.now();
    const error = await mirrorErrorOf(client({ headersTimeoutMs: 200 }).get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a body that stalls hits the body timeout', async () => {
    const { mirror } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('2024/01/02,');
    });
    const error = await mirrorErrorOf(client({ bodyTimeoutMs: 200 }).get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_TIMEOUT');
  });

  it('a slow drip hits the attempt timeout, and the socket is dropped', async () => {
    let closed = false;
    const { mirror } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('1,'), 20);
      res.once('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const started = Date.now();
    const error = await mirrorErrorOf(client({ attemptTimeoutMs: 300 }).get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
    await expect.poll(() => closed).toBe(true);
  });

  it('an error page that stalls still reports its status', async () => {
    const { mirror } = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '5' });
      res.write('<html>');
    });
    const error = await mirrorErrorOf(client({ attemptTimeoutMs: 200 }).get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_HTTP');
    expect(error.status).toBe(503);
    expect(error.retryAfterMs).toBe(5000);
  });

  it("the caller's cutoff, when it comes before the attempt timeout, rejects with its reason and drops the socket", async () => {
    let closed = false;
    const { mirror } = await serve((_req, res) => {
      res.once('close', () => {
        closed = true;
      });
    });
    const reason = new Error("the symbol's deadline passed");
    const started = Date.now();
    const cutoff = { afterMs: 100, reason: () => reason };
    await expect(client({ attemptTimeoutMs: 10_000 }).get(mirror, '2330', DEFAULT_QUERY, undefined, cutoff)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect.poll(() => closed).toBe(true);
  });

  it('a cutoff after the attempt timeout leaves the attempt timeout to answer', async () => {
    const { mirror } = await serve(() => {});
    const cutoff = { afterMs: 5_000, reason: () => new Error('not this one') };
    const error = await mirrorErrorOf(client({ attemptTimeoutMs: 100 }).get(mirror, '2330', DEFAULT_QUERY, undefined, cutoff));
    expect(error.code).toBe('E_MIRROR_TIMEOUT');
  });

  it("the caller's abort rejects with the caller's reason, not a mirror failure", async () => {
    const { mirror } = await serve(() => {});
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(client().get(mirror, '2330', DEFAULT_QUERY, controller.signal)).rejects.toBe(reason);
    await expect(client().get(mirror, '2330', DEFAULT_QUERY, controller.signal)).rejects.toBe(reason);
  });
});

describe('mirror client: size cap', () => {
  it('accepts a body of exactly the cap and rejects one byte more', async () => {
    const { mirror } = await serve([
      http.get(ENDPOINT, ({ request }) => HttpResponse.text('1'.repeat(Number(new URL(request.url).searchParams.get('a'))))),
    ]);
    const c = client({ maxBodyBytes: 1000 });
    expect((await c.get(mirror, '1000', DEFAULT_QUERY)).bytes.byteLength).toBe(1000);
    const error = await mirrorErrorOf(c.get(mirror, '1001', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_TOO_LARGE');
    expect(error.transient).toBe(true);
  });

  it('rejects a declared 5 MiB body before reading it', async () => {
    const { seen, handler } = streamingHandler(5 * MiB, { 'content-length': 5 * MiB });
    const { mirror } = await serve(handler);
    const error = await mirrorErrorOf(client().get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_TOO_LARGE');
    await seen.closed;
    expect(seen.closedEarly).toBe(true);
  });

  it('stops reading an undeclared (chunked) body once it passes 4 MiB', async () => {
    const total = 256 * MiB;
    const { seen, handler } = streamingHandler(total, { 'content-type': 'text/plain' });
    const { mirror } = await serve(handler);
    const error = await mirrorErrorOf(client().get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_TOO_LARGE');
    await seen.closed;
    // The client hung up long before the server got its 256 MiB out.
    expect(seen.closedEarly).toBe(true);
    expect(seen.written).toBeLessThan(64 * MiB);
  });
});
