import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../src/logger.js';
import { freePort } from '../support/ports.js';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback stand-in for a Pushgateway: records every request and answers with `reply`. */
export async function startFakePushgateway(
  reply: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(200).end(),
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      reply(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger whose records the test can read. */
export function capturingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', pretty: false, write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

/** The warning records among them. */
export function warnings(records: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  return records.filter((record) => record.level === 40);
}

/** A port nothing listens on. */
export const closedPort = freePort;
