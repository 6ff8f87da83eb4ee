import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import type { RequestHandler } from 'msw';

/** A handler for what msw cannot express: destroyed sockets, short bodies, slow drips. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A request the loopback mirror received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The remote port: requests sharing it came over the same (keep-alive) connection. */
  remotePort: number | undefined;
}

/** A running loopback mirror. */
export interface LoopbackMirror {
  /** `http://127.0.0.1:PORT/` — use it as a mirror's base URL. */
  url: string;
  requests: ReceivedRequest[];
  /** Connections accepted so far. */
  connections(): number;
  /** Stops the server and destroys every connection, keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * Starts a real node:http server on 127.0.0.1 and a random port. With msw handlers,
 * each request is turned into a Fetch `Request`, answered by msw's `getResponse`
 * (msw 2 cannot intercept undici's own Pool, so the production client talks to this
 * server instead) and the `Response` is streamed back; `HttpResponse.error()` destroys
 * the socket, and a request no handler matches gets a 599 so it cannot pass for data.
 * With a raw handler, the test writes to the socket itself.
 */
export async function startLoopbackMirror(handlers: readonly RequestHandler[] | RawHandler): Promise<LoopbackMirror> {
  const requests: ReceivedRequest[] = [];
  let connections = 0;
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      remotePort: req.socket.remotePort,
    });
    if (typeof handlers === 'function') {
      handlers(req, res);
      return;
    }
    answerWithMsw([...handlers], req, res, url).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function answerWithMsw(handlers: RequestHandler[], req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? await readAll(req) : undefined;
  const response = await getResponse(handlers, new Request(url, { method, headers, body }));
  if (response === undefined) {
    res.writeHead(599, { 'content-type': 'text/plain' }).end(`no msw handler for ${method} ${url.pathname}`);
    return;
  }
  if (response.type === 'error') {
    req.socket.destroy();
    return;
  }
  const outgoing: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, outgoing);
  if (response.body === null) {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}

async function readAll(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
