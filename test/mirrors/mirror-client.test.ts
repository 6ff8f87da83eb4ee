import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { MirrorError } from '../../src/errors.js';
import { DEFAULT_CLIENT_OPTIONS, DEFAULT_QUERY } from '../support/defaults.js';
import { startLoopbackMirror } from '../support/loopback-mirror.js';
import { ENDPOINT, mirrorErrorOf, PAYLOAD, useClientHarness } from './client-harness.js';

const { serve, client } = useClientHarness();

describe('mirror client: requests and answers', () => {
  it('sends the djbcd URL with browser-like headers and hands back raw bytes and the charset', async () => {
    const { server, mirror } = await serve([
      http.get(ENDPOINT, () => HttpResponse.text(PAYLOAD, { headers: { 'content-type': 'text/html; charset=BIG5' } })),
    ]);
    const response = await client().get(mirror, '2330', DEFAULT_QUERY);

    expect(response.status).toBe(200);
    expect(response.charset).toBe('big5');
    expect(new TextDecoder().decode(response.bytes)).toBe(PAYLOAD);
    // Its own ArrayBuffer, exactly as long as the body: transferable to a worker as is.
    expect(response.bytes.byteOffset).toBe(0);
    expect(response.bytes.buffer.byteLength).toBe(response.bytes.byteLength);
    expect(response.ms).toBeGreaterThanOrEqual(0);

    const [received] = server.requests;
    expect(received?.path).toBe('/z/BCD/czkc1.djbcd');
    expect(Object.fromEntries(received!.query)).toEqual({ a: '2330', b: 'A', c: '2880', E: '1', ver: '5' });
    expect(received?.headers.referer).toBe(server.url);
    expect(received?.headers['accept-language']).toMatch(/^zh-TW\b/);
    expect(received?.headers['user-agent']).toBe(DEFAULT_CLIENT_OPTIONS.userAgent);
    expect(received?.headers.accept).toContain('text/html');
  });

  it('keeps the connection alive between requests, error pages included', async () => {
    let calls = 0;
    const { server, mirror } = await serve([
      http.get(ENDPOINT, () => (++calls === 2 ? HttpResponse.text('busy '.repeat(1000), { status: 503 }) : HttpResponse.text(PAYLOAD))),
    ]);
    // One socket per origin: with more, undici may open a second one while it checks an idle socket.
    const c = client({ connectionsPerOrigin: 1 });
    await c.get(mirror, '2330', DEFAULT_QUERY);
    await mirrorErrorOf(c.get(mirror, '2330', DEFAULT_QUERY));
    await c.get(mirror, '2330', DEFAULT_QUERY);
    expect(server.requests).toHaveLength(3);
    expect(server.connections()).toBe(1);
    expect(c.connectionsOpened(mirror)).toBe(1);
  });

  it('returns an empty body as an empty answer', async () => {
    const { mirror } = await serve([http.get(ENDPOINT, () => new HttpResponse(null, { status: 200 }))]);
    const response = await client().get(mirror, '9999', DEFAULT_QUERY);
    expect(response.bytes.byteLength).toBe(0);
    expect(response.charset).toBeUndefined();
  });
});

describe('mirror client: HTTP errors', () => {
  it.each([
    [503, true],
    [500, true],
    [502, true],
    [408, true],
    [429, true],
    [404, false],
    [403, false],
    [400, false],
    [302, false],
  ])('HTTP %i is E_MIRROR_HTTP, transient: %s', async (status, transient) => {
    const { mirror } = await serve([http.get(ENDPOINT, () => new HttpResponse('nope', { status }))]);
    const error = await mirrorErrorOf(client().get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_HTTP');
    expect(error.status).toBe(status);
    expect(error.transient).toBe(transient);
    expect(error.mirror).toBe('loop');
  });

  it('reads Retry-After in seconds and as an HTTP-date', async () => {
    const { mirror } = await serve([
      http.get(ENDPOINT, ({ request }) =>
        new URL(request.url).searchParams.get('a') === '1'
          ? new HttpResponse(null, { status: 503, headers: { 'retry-after': '2' } })
          : new HttpResponse(null, { status: 429, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } }),
      ),
    ]);
    const c = client();
    expect((await mirrorErrorOf(c.get(mirror, '1', DEFAULT_QUERY))).retryAfterMs).toBe(2000);
    const dated = await mirrorErrorOf(c.get(mirror, '2', DEFAULT_QUERY));
    expect(dated.retryAfterMs).toBeGreaterThan(27_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
  });
});

describe('mirror client: sockets', () => {
  it('a network error from msw (destroyed socket) is E_MIRROR_NETWORK, transient', async () => {
    const { mirror } = await serve([http.get(ENDPOINT, () => HttpResponse.error())]);
    const error = await mirrorErrorOf(client().get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_NETWORK');
    expect(error.transient).toBe(true);
  });

  it('a refused connection is E_MIRROR_NETWORK, transient', async () => {
    const server = await startLoopbackMirror(() => {});
    await server.close();
    const error = await mirrorErrorOf(client().get({ name: 'gone', baseUrl: server.url }, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_NETWORK');
    expect(error.transient).toBe(true);
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('a body shorter than its Content-Length is an error, not a short payload', async () => {
    const { mirror } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 1000, 'content-type': 'text/plain' });
      res.write('x'.repeat(100), () => res.socket?.destroy());
    });
    const error = await mirrorErrorOf(client().get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_NETWORK');
    expect(error.transient).toBe(true);
    expect((error.cause as { code?: string }).code).toBe('UND_ERR_SOCKET');
  });

  it('a reset before any answer is E_MIRROR_NETWORK, transient', async () => {
    const { mirror } = await serve((req) => req.socket.destroy());
    const error = await mirrorErrorOf(client().get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_NETWORK');
    expect(error.transient).toBe(true);
  });

  it('a reused keep-alive socket the server dropped gives a transient error, never a hang', async () => {
    const answered = new WeakSet<object>();
    const { server, mirror } = await serve((req, res) => {
      // The second request on a connection finds the server gone: the stale keep-alive case.
      if (answered.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      answered.add(req.socket);
      res.writeHead(200, { 'content-type': 'text/plain', 'keep-alive': 'timeout=30' }).end(PAYLOAD);
    });
    const c = client({ connectionsPerOrigin: 1 });
    await c.get(mirror, '2330', DEFAULT_QUERY);
    const error = await mirrorErrorOf(c.get(mirror, '2330', DEFAULT_QUERY));
    expect(error.code).toBe('E_MIRROR_NETWORK');
    expect(error.transient).toBe(true);
    expect(server.connections()).toBe(1);
    // The pool recovers on a fresh connection.
    await c.get(mirror, '2330', DEFAULT_QUERY);
    expect(server.connections()).toBe(2);
    expect(c.connectionsOpened(mirror)).toBe(2);
    expect(c.connectionsOpened({ name: 'other', baseUrl: 'http://127.0.0.1:9/' })).toBe(0);
  });

  it('a server closing idle sockets right after answering never leaves a request hanging', async () => {
    const { mirror } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(PAYLOAD, () => res.socket?.end());
    });
    const c = client();
    for (let i = 0; i < 20; i++) {
      const result = await c.get(mirror, '2330', DEFAULT_QUERY).then(
        (r) => r.status,
        (e: unknown) => (e as MirrorError).code,
      );
      expect([200, 'E_MIRROR_NETWORK']).toContain(result);
    }
  });
});
