import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIoTurns } from '../../src/mirrors/io-turns.js';

let sockets: Socket[] = [];
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await close?.();
  close = undefined;
});

/** A connected loopback pair: bytes written to `server` become a 'data' event on `client`. */
async function socketPair(): Promise<{ client: Socket; server: Socket }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  close = () => new Promise((resolve) => listener.close(() => resolve()));
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  sockets.push(client, server);
  return { client, server };
}

function holdThread(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('createIoTurns', () => {
  it('resumes one waiter per turn, reading the sockets in between', async () => {
    const { client, server } = await socketPair();
    const order: string[] = [];
    client.on('data', () => order.push('data'));
    const turns = createIoTurns();
    const first = turns.next().then(() => {
      order.push('first');
      // The bytes are in the client's receive buffer before this turn ends.
      server.write('ping');
      holdThread(20);
    });
    const second = turns.next().then(() => order.push('second'));
    await Promise.all([first, second]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['first', 'data', 'second']);
  });

  it('resumes waiters in the order they came, and again after it went idle', async () => {
    const turns = createIoTurns();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => turns.next().then(() => order.push(n))));
    await turns.next().then(() => order.push(4));
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
