import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, expect } from 'vitest';
import { MirrorError } from '../../src/errors.js';
import { createMirrorClient } from '../../src/mirrors/mirror-client.js';
import type { MirrorClient, MirrorClientOptions } from '../../src/mirrors/mirror-client.js';
import type { Mirror } from '../../src/mirrors/mirror-list.js';
import { DEFAULT_CLIENT_OPTIONS } from '../support/defaults.js';
import { startLoopbackMirror } from '../support/loopback-mirror.js';
import type { LoopbackMirror, RawHandler } from '../support/loopback-mirror.js';

export const PAYLOAD = '2024/01/02,2024/01/03 580,590 585,595 575,588 582,593 31418,32804';
export const ENDPOINT = '*/z/BCD/czkc1.djbcd';
export const MiB = 1024 * 1024;

/**
 * Loopback mirrors and production clients for one test file, all closed after each test:
 * servers first, so a socket a test left hanging cannot keep client.close() waiting.
 */
export function useClientHarness() {
  let servers: LoopbackMirror[] = [];
  let clients: MirrorClient[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(clients.map((c) => c.close()));
    servers = [];
    clients = [];
  });
  return {
    async serve(handler: Parameters<typeof startLoopbackMirror>[0]): Promise<{ server: LoopbackMirror; mirror: Mirror }> {
      const server = await startLoopbackMirror(handler);
      servers.push(server);
      return { server, mirror: { name: 'loop', baseUrl: server.url } };
    },
    client(overrides: Partial<MirrorClientOptions> = {}): MirrorClient {
      const created = createMirrorClient({ ...DEFAULT_CLIENT_OPTIONS, ...overrides });
      clients.push(created);
      return created;
    },
  };
}

/** Awaits a rejection and checks it is a MirrorError. */
export async function mirrorErrorOf(promise: Promise<unknown>): Promise<MirrorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MirrorError);
  return error as MirrorError;
}

/** A raw handler streaming `total` bytes with backpressure; records bytes written and an early close. */
export function streamingHandler(total: number, headers: Record<string, string | number>) {
  const seen = { written: 0, closedEarly: false, closed: Promise.resolve() };
  const handler: RawHandler = (_req: IncomingMessage, res: ServerResponse) => {
    seen.closed = new Promise<void>((resolve) => res.once('close', resolve));
    res.once('close', () => {
      seen.closedEarly = seen.written < total;
    });
    res.writeHead(200, headers);
    const chunk = Buffer.alloc(64 * 1024, 0x31);
    const pump = (): void => {
      while (seen.written < total && !res.destroyed) {
        seen.written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };
  return { seen, handler };
}
