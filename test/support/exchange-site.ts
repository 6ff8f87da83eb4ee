import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SymbolSource } from '../../src/market/market.js';
import { readFixture } from './fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from './loopback-mirror.js';

/** The three pages the exchange serves: an ISIN page per market and the holiday schedule. */
export type ExchangePage = 'TSE' | 'TPEx' | 'holidays';

/**
 * What one page answers: a fixture file of fixtures/market/ (with the exchange's own
 * Content-Type unless given), a status with a short body, raw bytes, or a connection reset.
 */
export type ExchangeAnswer =
  | { fixture: string; contentType?: string }
  | { status: number; body?: string }
  | { bytes: Uint8Array; contentType?: string }
  | { reset: true };

/** A loopback stand-in for isin.twse.com.tw and openapi.twse.com.tw. */
export interface ExchangeSite {
  /** `TSE=…?strMode=2` and `TPEx=…?strMode=4` on this server, as `symbolSources` holds them. */
  sources: SymbolSource[];
  /** The holiday schedule's URL on this server. */
  holidaySource: string;
  /** Changes what `page` answers from now on. */
  serve(page: ExchangePage, answer: ExchangeAnswer): void;
  /** Requests received per page. */
  requests(page: ExchangePage): number;
  close(): Promise<void>;
}

const ISIN_PATH = '/isin/C_public.jsp';
const HOLIDAY_PATH = '/v1/holidaySchedule/holidaySchedule';

const CONTENT_TYPES: Readonly<Record<ExchangePage, string>> = {
  TSE: 'text/html;charset=MS950',
  TPEx: 'text/html;charset=MS950',
  holidays: 'application/json; charset=utf-8',
};

/**
 * Starts the site on 127.0.0.1 and a random port, serving by default the first state of
 * the fixture pages: isin-tse.html, isin-tpex.html and holiday-schedule-2026.json.
 */
export async function startExchangeSite(): Promise<ExchangeSite> {
  const answers = new Map<ExchangePage, ExchangeAnswer>([
    ['TSE', { fixture: 'isin-tse.html' }],
    ['TPEx', { fixture: 'isin-tpex.html' }],
    ['holidays', { fixture: 'holiday-schedule-2026.json' }],
  ]);
  const counts = new Map<ExchangePage, number>();
  const server: LoopbackMirror = await startLoopbackMirror((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const page = pageOf(url);
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    counts.set(page, (counts.get(page) ?? 0) + 1);
    answer(page, answers.get(page)!, req, res);
  });
  const origin = server.url.replace(/\/$/, '');
  return {
    sources: [
      { market: 'TSE', url: `${origin}${ISIN_PATH}?strMode=2` },
      { market: 'TPEx', url: `${origin}${ISIN_PATH}?strMode=4` },
    ],
    holidaySource: `${origin}${HOLIDAY_PATH}`,
    serve: (page, next) => void answers.set(page, next),
    requests: (page) => counts.get(page) ?? 0,
    close: () => server.close(),
  };
}

function pageOf(url: URL): ExchangePage | undefined {
  if (url.pathname === HOLIDAY_PATH) return 'holidays';
  if (url.pathname !== ISIN_PATH) return undefined;
  const mode = url.searchParams.get('strMode');
  return mode === '2' ? 'TSE' : mode === '4' ? 'TPEx' : undefined;
}

function answer(page: ExchangePage, what: ExchangeAnswer, req: IncomingMessage, res: ServerResponse): void {
  if ('reset' in what) {
    req.socket.destroy();
    return;
  }
  if ('status' in what) {
    res.writeHead(what.status, { 'content-type': 'text/html' }).end(what.body ?? `<html><body>HTTP ${what.status}</body></html>`);
    return;
  }
  const bytes = 'fixture' in what ? readFixture(`market/${what.fixture}`) : what.bytes;
  res.writeHead(200, { 'content-type': what.contentType ?? CONTENT_TYPES[page], 'content-length': bytes.byteLength }).end(bytes);
}
