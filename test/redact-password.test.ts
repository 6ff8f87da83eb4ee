import { describe, expect, it } from 'vitest';
import { redactUrlPassword, withoutPassword } from '../src/redact-password.js';

const SENTINEL = 's3cr3t-sentinel';

describe('redactUrlPassword', () => {
  it('replaces the password and nothing else', () => {
    expect(redactUrlPassword(`postgres://crawler:${SENTINEL}@db.example:5432/stocks?sslmode=require`)).toBe(
      'postgres://crawler:***@db.example:5432/stocks?sslmode=require',
    );
    expect(redactUrlPassword('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(redactUrlPassword('postgres://db/stocks')).toBe('postgres://db/stocks');
    expect(redactUrlPassword(`postgres://db.example/stocks?user=u&password=${SENTINEL}`)).toBe(
      'postgres://db.example/stocks?user=u&password=***',
    );
    expect(redactUrlPassword(`postgres://u:${encodeURIComponent('p@ss/w:rd')}@h/d`)).toBe('postgres://u:***@h/d');
  });

  it('masks what does not parse as one URL: a broken URL, a password with a comma, a list', () => {
    expect(redactUrlPassword(`postgres://crawler:${SENTINEL}@[bad/stocks`)).not.toContain(SENTINEL);
    expect(redactUrlPassword('postgres://crawler:pa,ss@db/stocks')).toBe('postgres://crawler:***@db/stocks');
    expect(redactUrlPassword(`a=http://u:${SENTINEL}@a.example/,b=http://b.example/?password=${SENTINEL}`)).toBe(
      'a=http://u:***@a.example/,b=http://b.example/?password=***',
    );
  });
});

describe('withoutPassword', () => {
  it('removes the password from a driver message wherever it occurs', () => {
    const url = `postgres://crawler:${encodeURIComponent('p@ss')}@db/stocks`;
    expect(withoutPassword('password authentication failed ("p@ss") for crawler', url)).toBe('password authentication failed ("***") for crawler');
    expect(withoutPassword(`bad password ${SENTINEL}`, `postgres://db/stocks?password=${SENTINEL}`)).toBe('bad password ***');
  });

  it('leaves a message alone when the URL has no password or there is no URL', () => {
    expect(withoutPassword('connection refused', 'postgres://postgres@127.0.0.1/test')).toBe('connection refused');
    expect(withoutPassword('connection refused', undefined)).toBe('connection refused');
  });

  it('masks an unparseable URL quoted whole in the message', () => {
    const url = `postgres://u:${SENTINEL}@[bad/d`;
    expect(withoutPassword(`cannot parse ${url}`, url)).not.toContain(SENTINEL);
  });
});
