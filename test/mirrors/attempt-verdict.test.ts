import { describe, expect, it } from 'vitest';
import { FormatError, MirrorError, SymbolError } from '../../src/errors.js';
import { verdictOf } from '../../src/mirrors/attempt-verdict.js';
import { isTransientStatus } from '../../src/mirrors/response-headers.js';

const http = (status: number) =>
  new MirrorError('E_MIRROR_HTTP', 'm', `HTTP ${status}`, { status, transient: isTransientStatus(status) });

describe('verdictOf: what a failed attempt says about the mirror', () => {
  it.each([
    ['an HTML page', new FormatError('html', 'html', { excerpt: '<html>' }), 'failure'],
    ['an empty answer for a known symbol', new FormatError('empty', 'empty', { excerpt: '' }), 'failure'],
    ['500', http(500), 'failure'],
    ['503', http(503), 'failure'],
    ['429 (throttled)', http(429), 'failure'],
    ['408', http(408), 'failure'],
    ['403 (banned)', http(403), 'failure'],
    ['401', http(401), 'failure'],
    ['404 (about the symbol)', http(404), 'neutral'],
    ['400', http(400), 'neutral'],
    ['a timeout', new MirrorError('E_MIRROR_TIMEOUT', 'm', 't', { transient: true }), 'failure'],
    ['a reset', new MirrorError('E_MIRROR_NETWORK', 'm', 'r', { transient: true }), 'failure'],
    ['an unknown host (lasting)', new MirrorError('E_MIRROR_NETWORK', 'm', 'n', { transient: false }), 'failure'],
    ['a body too large', new MirrorError('E_MIRROR_TOO_LARGE', 'm', 'l', { status: 200, transient: true }), 'failure'],
    ['not a mirror failure', new SymbolError('x', 'bad'), 'neutral'],
    ['a bug', new TypeError('bug'), 'neutral'],
  ])('%s → %s', (_case, error, verdict) => {
    expect(verdictOf(error)).toBe(verdict);
  });
});
