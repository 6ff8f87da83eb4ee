import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { buildConnector, type ConnectOptions } from '../../src/undici-parts.js';
import { createWarmConnector, socketsAhead, type WarmConnector } from '../../src/mirrors/warm-connector.js';
import { DEFAULT_QUERY } from '../support/defaults.js';
import { ENDPOINT, PAYLOAD, useClientHarness } from './client-harness.js';

/** A TCP server that accepts and holds every connection, as undici's pools see a mirror before any request. */
async function tcpServer(): Promise<{ server: Server; accepted: Socket[]; closed: () => number; port: number }> {
  const accepted: Socket[] = [];
  let closed = 0;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('close', () => (closed += 1));
    accepted.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, accepted, closed: () => closed, port: (server.address() as AddressInfo).port };
}

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
};

/** The connection as undici's pool asks for it. */
const optionsFor = (port: number): ConnectOptions => ({ hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'http:', port: String(port) });

function connectWith(connector: WarmConnector, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    connector.connect(optionsFor(port), (error, socket) => (error === null ? resolve(socket as Socket) : reject(error)));
  });
}

let servers: Server[] = [];
let connectors: WarmConnector[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const connector of connectors) connector.close();
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
  servers = [];
  connectors = [];
  sockets = [];
});

async function setUp() {
  const tcp = await tcpServer();
  servers.push(tcp.server);
  const connector = createWarmConnector(buildConnector({ timeout: 2_000 }));
  connectors.push(connector);
  const take = async (): Promise<Socket> => {
    const socket = await connectWith(connector, tcp.port);
    sockets.push(socket);
    return socket;
  };
  return { ...tcp, connector, take, origin: `http://127.0.0.1:${tcp.port}` };
}

describe('warm connector', () => {
  it('hands out the sockets opened ahead, then connects as usual', async () => {
    const { accepted, connector, take, origin } = await setUp();
    connector.warm(origin, 2);
    await until(() => accepted.length === 2);
    const ahead = new Set(accepted.map((socket) => socket.remotePort));

    const [first, second] = [await take(), await take()];
    expect(ahead.has(first.localPort)).toBe(true);
    expect(ahead.has(second.localPort)).toBe(true);
    expect(first.localPort).not.toBe(second.localPort);
    expect(accepted).toHaveLength(2);

    const third = await take();
    expect(ahead.has(third.localPort)).toBe(false);
    expect(accepted).toHaveLength(3);
  });

  it('gives a socket still connecting once it is connected', async () => {
    const { accepted, connector, take, origin } = await setUp();
    connector.warm(origin, 1);
    const socket = await take();
    expect(socket.writable).toBe(true);
    await until(() => accepted.length === 1);
    expect(accepted[0]?.remotePort).toBe(socket.localPort);
  });

  it('connects anew when the server closed a socket before any request took it', async () => {
    const { accepted, connector, take, origin } = await setUp();
    connector.warm(origin, 1);
    await until(() => accepted.length === 1);
    const closedPort = accepted[0]?.remotePort;
    accepted[0]?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const socket = await take();
    expect(socket.localPort).not.toBe(closedPort);
    expect(socket.writable).toBe(true);
    await until(() => accepted.length === 2);
  });

  it('reports the usual connect error when opening ahead failed, and does not crash meanwhile', async () => {
    const { server, port, connector, origin } = await setUp();
    server.close();
    await once(server, 'close');
    connector.warm(origin, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(connectWith(connector, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('closes a socket still connecting when it is closed, once it connects, and opens no other', async () => {
    const { accepted, closed, connector, origin } = await setUp();
    connector.warm(origin, 1);
    connector.close();
    await until(() => closed() === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(accepted).toHaveLength(1);
  });

  it('closes the sockets no request took', async () => {
    const { accepted, connector, take, origin } = await setUp();
    connector.warm(origin, 3);
    await until(() => accepted.length === 3);
    const taken = await take();
    const closed = accepted.filter((socket) => socket.remotePort !== taken.localPort).map((socket) => once(socket, 'close'));
    connector.close();
    await Promise.all(closed);
    expect(taken.destroyed).toBe(false);
  });
});

describe('mirror client with sockets opened ahead', () => {
  const { serve, client } = useClientHarness();

  it('sends its first requests over them', async () => {
    const { server, mirror } = await serve([http.get(ENDPOINT, () => HttpResponse.text(PAYLOAD))]);
    const c = client({ connectionsPerOrigin: 2 });
    c.warm(mirror, 2);
    await until(() => server.connections() === 2);
    const answers = await Promise.all(['2330', '2317', '2454'].map((symbol) => c.get(mirror, symbol, DEFAULT_QUERY)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(server.connections()).toBe(2);
    expect(c.connectionsOpened(mirror)).toBe(2);
  });
});

describe('socketsAhead', () => {
  it('opens the share of the global limit each mirror gets, at most its own limit', () => {
    expect(socketsAhead({ mirrors: 8, concurrency: 64, perMirror: 8, symbols: 2_000 })).toBe(8);
    expect(socketsAhead({ mirrors: 8, concurrency: 16, perMirror: 2, symbols: 2_000 })).toBe(2);
    expect(socketsAhead({ mirrors: 8, concurrency: 16, perMirror: 8, symbols: 2_000 })).toBe(2);
  });

  it('opens no more than the symbols need, and none for none', () => {
    expect(socketsAhead({ mirrors: 8, concurrency: 64, perMirror: 8, symbols: 3 })).toBe(1);
    expect(socketsAhead({ mirrors: 8, concurrency: 64, perMirror: 8, symbols: 0 })).toBe(0);
    expect(socketsAhead({ mirrors: 0, concurrency: 64, perMirror: 8, symbols: 10 })).toBe(0);
  });
});
