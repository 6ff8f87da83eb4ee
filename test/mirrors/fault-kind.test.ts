import { describe, expect, it } from 'vitest';
import { FormatError, MirrorError, SymbolError } from '../../src/errors.js';
import { FAULT_KINDS, faultKindOf, faultsOfAttempts } from '../../src/mirrors/fault-kind.js';
import { isTransientStatus } from '../../src/mirrors/response-headers.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { DEFAULT_QUERY } from '../support/defaults.js';
import { startLoopbackMirror } from '../support/loopback-mirror.js';
import { PAYLOAD, useClientHarness } from './client-harness.js';

const http = (status: number) => new MirrorError('E_MIRROR_HTTP', 'm', `HTTP ${status}`, { status, transient: isTransientStatus(status) });
const network = (code: string, stage?: 'request' | 'body') =>
  new MirrorError('E_MIRROR_NETWORK', 'm', code, { transient: true, cause: Object.assign(new Error(code), { code }), ...(stage ? { stage } : {}) });
const format = (reason: ConstructorParameters<typeof FormatError>[0]) => new FormatError(reason, reason, { excerpt: '' });

/** The FormatError the real parser throws for a body. */
function parseError(body: string | Uint8Array): unknown {
  try {
    parseDjbcd(typeof body === 'string' ? new TextEncoder().encode(body) : body);
  } catch (error) {
    return error;
  }
  throw new Error('expected the body to be rejected');
}

describe('faultKindOf: errors', () => {
  it.each([
    ['429 without Retry-After', http(429), 'http_429'],
    ['429 with Retry-After', new MirrorError('E_MIRROR_HTTP', 'm', '429', { status: 429, transient: true, retryAfterMs: 1000 }), 'http_429'],
    ['503', http(503), 'http_5xx'],
    ['500', http(500), 'http_5xx'],
    ['403', http(403), 'http_4xx'],
    ['404', http(404), 'http_4xx'],
    ['304', http(304), 'http_other'],
    ['a timeout', new MirrorError('E_MIRROR_TIMEOUT', 'm', 't', { transient: true }), 'timeout'],
    ['a body too large', new MirrorError('E_MIRROR_TOO_LARGE', 'm', 'l', { status: 200, transient: true }), 'too_large'],
    ['ECONNREFUSED', network('ECONNREFUSED', 'request'), 'refused'],
    ['ECONNRESET before the head', network('ECONNRESET', 'request'), 'reset'],
    ['ECONNRESET mid-body', network('ECONNRESET', 'body'), 'truncated'],
    ['closed before the head', network('UND_ERR_SOCKET', 'request'), 'reset'],
    ['closed mid-body', network('UND_ERR_SOCKET', 'body'), 'truncated'],
    ['an unknown host', network('ENOTFOUND', 'request'), 'network'],
    ['an HTML page', format('html'), 'html'],
    ['garbage', format('binary'), 'binary'],
    ['a cut payload', format('truncated'), 'truncated'],
    ['empty for a known symbol', format('empty'), 'empty'],
    ['too few sections', format('too_few_sections'), 'format'],
    ['unequal sections', format('unequal_length'), 'format'],
    ['a bad number', format('bad_number'), 'format'],
    ['a bad date', format('bad_date'), 'format'],
    ['not a mirror failure', new SymbolError('x', 'bad'), 'other'],
    ['a bug', new TypeError('bug'), 'other'],
  ])('%s → %s', (_case, error, kind) => {
    expect(faultKindOf(error)).toBe(kind);
    expect(FAULT_KINDS).toContain(kind);
  });

  it('classifies what the real parser says about broken payloads', () => {
    const [dates, opens, highs, lows, closes, volumes] = PAYLOAD.split(' ');
    expect(faultKindOf(parseError('<html><body>blocked</body></html>'))).toBe('html');
    expect(faultKindOf(parseError(Uint8Array.from([0x00, 0xff, 0x13, 0x80, 0x41, 0x07])))).toBe('binary');
    // A section dropped: five where six are needed.
    expect(faultKindOf(parseError([dates, opens, highs, closes, volumes].join(' ')))).toBe('format');
    // The volumes are cut: the last section is shorter than the dates.
    expect(faultKindOf(parseError([dates, opens, highs, lows, closes, volumes!.split(',')[0]].join(' ')))).toBe('truncated');
  });

  it('lists the faults of attempts that have one, in order', () => {
    expect(
      faultsOfAttempts([
        { broker: 'a', fault: 'reset' },
        { broker: 'b' },
        { broker: 'c', fault: 'html' },
      ]),
    ).toEqual([
      { broker: 'a', kind: 'reset' },
      { broker: 'c', kind: 'html' },
    ]);
  });
});

describe('faultKindOf: real sockets through the production client', () => {
  const { serve, client } = useClientHarness();

  async function kindOf(handler: Parameters<typeof serve>[0], options: Parameters<typeof client>[0] = {}): Promise<string> {
    const { mirror } = await serve(handler);
    const error = await client(options)
      .get(mirror, '2330', DEFAULT_QUERY)
      .then(
        () => new Error('expected a failure'),
        (e: unknown) => e,
      );
    return faultKindOf(error);
  }

  it('a reset before any answer is a reset', async () => {
    expect(await kindOf((req) => req.socket.resetAndDestroy())).toBe('reset');
  });

  it('a reset in the middle of the body cut it short: truncated', async () => {
    const kind = await kindOf((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      // Once the head is surely read, an RST rather than a FIN.
      res.write('x'.repeat(100), () => setTimeout(() => res.socket?.resetAndDestroy(), 30));
    });
    expect(kind).toBe('truncated');
  });

  it('a body closed short of its Content-Length is truncated', async () => {
    const kind = await kindOf((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('x'.repeat(100), () => res.socket?.destroy());
    });
    expect(kind).toBe('truncated');
  });

  it('a connection closed before any answer is a reset', async () => {
    expect(await kindOf((req) => req.socket.destroy())).toBe('reset');
  });

  it('a body dripping slower than the body timeout is a timeout', async () => {
    const kind = await kindOf(
      (_req, res) => {
        res.writeHead(200, { 'content-length': 1000 });
        res.write('2');
        // undici checks body timeouts on a coarse (about 1 s) timer: drip slower than that.
        const timer = setInterval(() => res.write('0'), 1_500);
        res.once('close', () => clearInterval(timer));
      },
      { bodyTimeoutMs: 200, attemptTimeoutMs: 10_000 },
    );
    expect(kind).toBe('timeout');
  });

  it('a closed port is refused', async () => {
    const server = await startLoopbackMirror(() => {});
    await server.close();
    const error = await client()
      .get({ name: 'gone', baseUrl: server.url }, '2330', DEFAULT_QUERY)
      .catch((e: unknown) => e);
    expect(faultKindOf(error)).toBe('refused');
  });
});
