import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSourceClient, type SourceClient } from '../../src/market/source-client.js';
import { readFixture } from '../support/fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { freePort } from '../support/ports.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function site(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackMirror> {
  const server = await startLoopbackMirror(handler);
  open.push(server);
  return server;
}

function client(overrides: { timeoutMs?: number; maxBytes?: number } = {}): SourceClient {
  const created = createSourceClient({ timeoutMs: 5_000, maxBytes: 1024 * 1024, userAgent: 'stock-crawler-test', ...overrides });
  open.push(created);
  return created;
}

describe('createSourceClient', () => {
  it('returns the body, its charset and the status; sends the user agent', async () => {
    const page = readFixture('market/isin-tse.html');
    let agent: string | undefined;
    const server = await site((req, res) => {
      agent = req.headers['user-agent'];
      res.writeHead(200, { 'content-type': 'text/html;charset=MS950' }).end(page);
    });
    const answer = await client().fetch(`${server.url}isin/C_public.jsp?strMode=2`);
    expect(answer).toMatchObject({ ok: true, status: 200, charset: 'ms950' });
    if (answer.ok) expect(Buffer.from(answer.bytes).equals(page)).toBe(true);
    expect(agent).toBe('stock-crawler-test');
  });

  it('refuses an error status with it', async () => {
    const server = await site((_req, res) => res.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>'));
    expect(await client().fetch(server.url)).toMatchObject({ ok: false, refusal: { reason: 'http_status', status: 503, message: 'HTTP 503' } });
  });

  it('follows a redirect', async () => {
    const server = await site((req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    expect(await client().fetch(`${server.url}old`)).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    const declared = await site((_req, res) => res.writeHead(200, { 'content-length': 5_000 }).end(Buffer.alloc(5_000)));
    expect(await client({ maxBytes: 4_096 }).fetch(declared.url)).toMatchObject({ ok: false, refusal: { reason: 'too_large' } });
    const streamed = await site((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      for (let i = 0; i < 10; i += 1) res.write(Buffer.alloc(1_000));
      res.end();
    });
    expect(await client({ maxBytes: 4_096 }).fetch(streamed.url)).toMatchObject({ ok: false, refusal: { reason: 'too_large' } });
  });

  it('refuses a source that does not answer in time', async () => {
    const server = await site(() => undefined);
    const answer = await client({ timeoutMs: 300 }).fetch(server.url);
    expect(answer).toMatchObject({ ok: false, refusal: { reason: 'timeout' } });
    expect(answer.ms).toBeLessThan(3_000);
  });

  it('refuses a body that drips past the timeout', async () => {
    const server = await site((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html>');
    });
    expect(await client({ timeoutMs: 300 }).fetch(server.url)).toMatchObject({ ok: false, refusal: { reason: 'timeout' } });
  });

  it('refuses a reset and a refused connection as network failures', async () => {
    const server = await site((req) => req.socket.destroy());
    expect(await client().fetch(server.url)).toMatchObject({ ok: false, refusal: { reason: 'network' } });
    expect(await client().fetch(`http://127.0.0.1:${await freePort()}/`)).toMatchObject({ ok: false, refusal: { reason: 'network' } });
  });

  it('rejects with the caller’s reason when aborted', async () => {
    const server = await site(() => undefined);
    const controller = new AbortController();
    const pending = client().fetch(server.url, controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
    await expect(client().fetch(server.url, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
