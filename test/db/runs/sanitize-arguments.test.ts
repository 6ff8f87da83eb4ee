import { describe, expect, it } from 'vitest';
import { MASK, maskPasswordsOf, maskSecrets, sanitizeArguments } from '../../../src/db/runs/sanitize-arguments.js';

const SENTINEL = 's3cr3t-sentinel';

describe('sanitizeArguments', () => {
  const cases: Array<[string, unknown]> = [
    ['a databaseUrl', { databaseUrl: `postgres://u:${SENTINEL}@db:5432/stocks` }],
    ['a DATABASE_URL', { DATABASE_URL: `postgresql://u:${SENTINEL}@db/stocks?sslmode=require` }],
    ['a URL in argv', { argv: ['update', '--database-url', `postgres://u:${SENTINEL}@db/stocks`] }],
    ['a password with / and @', { argv: `--database-url=postgres://u:a/b@${SENTINEL}@db/stocks` }],
    ['a password= parameter', { url: `postgres://db/stocks?user=u&password=${SENTINEL}` }],
    ['a quoted key=value password', { dsn: `host=db password='x ${SENTINEL}' dbname=stocks` }],
    ['secret-looking keys', { PGPASSWORD: SENTINEL, apiToken: SENTINEL, nested: [{ client_secret: { value: SENTINEL } }] }],
    ['a databaseUrl a URL parser reads differently', { databaseUrl: `postgres://u:${SENTINEL}@@db/stocks` }],
  ];
  for (const [what, value] of cases) {
    it(`masks ${what}`, () => {
      const safe = JSON.stringify(sanitizeArguments(value));
      expect(safe).not.toContain(SENTINEL);
      expect(safe).toContain(MASK);
    });
  }

  it('keeps everything else, as JSON would', () => {
    const value = {
      symbols: ['2330', '00631L'],
      concurrency: 16,
      dryRun: false,
      shard: null,
      skipped: undefined,
      brokers: ['fubon=https://fubon-ebrokerdj.fbs.com.tw/', 'http://127.0.0.1:8080/'],
      since: new Date('2024-01-02T00:00:00Z'),
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
    };
    expect(sanitizeArguments(value)).toEqual({
      symbols: ['2330', '00631L'],
      concurrency: 16,
      dryRun: false,
      shard: null,
      brokers: ['fubon=https://fubon-ebrokerdj.fbs.com.tw/', 'http://127.0.0.1:8080/'],
      since: '2024-01-02T00:00:00.000Z',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
    });
  });

  it('survives cycles', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = value;
    expect(sanitizeArguments(value)).toEqual({ a: 1, self: '[circular]' });
  });

  it('masks free text', () => {
    expect(maskSecrets(`cannot connect to postgres://u:${SENTINEL}@db/stocks`)).toBe('cannot connect to postgres://u:***@db/stocks');
  });
});

describe('maskPasswordsOf', () => {
  const special = 'S3ntinel/pw@7f3a:x%';
  const url = `postgres://crawler:${encodeURIComponent(special)}@db:5432/stocks`;

  it('masks the password of each URL wherever it appears alone: as written, decoded or encoded', () => {
    for (const form of [special, encodeURIComponent(special), `S3ntinel%2Fpw%407f3a%3Ax%25`]) {
      const masked = maskPasswordsOf(`the driver said: password ${form} refused`, [url]);
      expect(masked).not.toContain('S3ntinel');
      expect(masked).toContain(MASK);
    }
    expect(maskPasswordsOf(`password ${SENTINEL}`, [undefined, `postgres://db/stocks?password=${SENTINEL}`])).toBe(`password ${MASK}`);
  });

  it('masks any URL password, and one cut short by an echo', () => {
    expect(maskPasswordsOf(`unknown option '--database-uri=postgres://u:${SENTINEL}@db/x'`, [])).toBe(`unknown option '--database-uri=postgres://u:${MASK}@db/x'`);
    expect(maskPasswordsOf('invalid symbol "postgres://postgres:S3nt…"', [])).toBe(`invalid symbol "postgres://postgres:${MASK}…"`);
  });

  it('leaves a very short password to the URL rules: masking every "a" would hide the message', () => {
    expect(maskPasswordsOf('a database at postgres://u:a@db/x', ['postgres://u:a@db/x'])).toBe(`a database at postgres://u:${MASK}@db/x`);
  });
});
