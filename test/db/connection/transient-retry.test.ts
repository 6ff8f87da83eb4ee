import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { decideRetry, isTransientDatabaseError, retryTransient, type RetryEvent, type RetryPolicy } from '../../../src/db/connection/transient-retry.js';
import { DatabaseUnavailableError } from '../../../src/errors.js';
import { createTestDatabase, serverBackend } from '../../support/databases.js';
import { freePort as closedPort } from '../../support/ports.js';

const coded = (code: string, message = `failure ${code}`): Error => Object.assign(new Error(message), { code });

describe('isTransientDatabaseError', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED')],
    ['a reset connection', coded('ECONNRESET')],
    ['a broken pipe', coded('EPIPE')],
    ['a refused dual-stack connect (AggregateError, empty message)', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], '')],
    ['pg: the socket closed under a query', new Error('Connection terminated unexpectedly')],
    ['pg-pool: no connection in time', new Error('timeout exceeded when trying to connect')],
    ['pg: a client that already failed', new Error('Client has encountered a connection error and is not queryable')],
    ['SQLSTATE 57P01 admin shutdown', coded('57P01', 'terminating connection due to administrator command')],
    ['SQLSTATE 57P02 crash shutdown', coded('57P02')],
    ['SQLSTATE 57P03 cannot connect now', coded('57P03', 'the database system is starting up')],
    ['SQLSTATE 53300 too many connections', coded('53300')],
    ['SQLSTATE class 08 (08006 connection failure)', coded('08006')],
    ['SQLSTATE class 08 (08001 unable to connect)', coded('08001')],
    ['a transient cause under a DatabaseUnavailableError', new DatabaseUnavailableError('cannot connect', { cause: coded('ECONNREFUSED') })],
  ])('retries %s', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a wrong password (28P01)', coded('28P01', 'password authentication failed')],
    ['an unknown role (28000)', coded('28000')],
    ['a missing database (3D000)', coded('3D000')],
    ['a unique violation (23505)', coded('23505')],
    ['a value out of range (22003)', coded('22003')],
    ['an undefined table (42P01)', coded('42P01')],
    ['a read-only standby (25006)', coded('25006')],
    ['a permanent SQLSTATE wrapped in a DatabaseUnavailableError', new DatabaseUnavailableError('x', { cause: coded('28P01', 'Connection terminated by auth') })],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
    ['null', null],
  ])('does not retry %s', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});

describe('decideRetry', () => {
  const policy: RetryPolicy = { budgetMs: 10_000, baseDelayMs: 100, maxDelayMs: 1_000 };
  const transient = coded('ECONNREFUSED');

  it('gives up at once on a permanent error, and once the budget is spent', () => {
    expect(decideRetry({ error: coded('23505'), retry: 0, elapsedMs: 0, policy, random: 0.5 })).toEqual({ kind: 'give-up', reason: 'permanent' });
    expect(decideRetry({ error: transient, retry: 3, elapsedMs: 10_000, policy, random: 0.5 })).toEqual({ kind: 'give-up', reason: 'exhausted' });
    expect(decideRetry({ error: transient, retry: 0, elapsedMs: 0, policy: { budgetMs: 0 }, random: 0.5 })).toEqual({ kind: 'give-up', reason: 'exhausted' });
  });

  it('draws the delay uniformly below a doubling ceiling capped at maxDelayMs, clipped to the time left', () => {
    const delay = (retry: number, random: number, elapsedMs = 0) => decideRetry({ error: transient, retry, elapsedMs, policy, random });
    expect([0, 1, 2, 3, 4, 20].map((retry) => delay(retry, 0.999_999))).toEqual([0, 1, 2, 3, 4, 20].map((retry) => ({ kind: 'retry', delayMs: Math.min(1_000, 100 * 2 ** retry) - 1 })));
    expect(delay(5, 0)).toEqual({ kind: 'retry', delayMs: 0 });
    expect(delay(5, 0.5)).toEqual({ kind: 'retry', delayMs: 500 });
    expect(delay(5, 0.9, 9_800)).toEqual({ kind: 'retry', delayMs: 200 });
  });
});

/** A clock that only moves when the code under test sleeps (or `work` says so). */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => void (now += ms),
    env: {
      clock: { now: () => now },
      sleep: async (ms: number, signal?: AbortSignal) => {
        if (signal?.aborted) throw signal.reason;
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
    },
  };
}

describe('retryTransient', () => {
  it('runs the work again after transient errors and returns its result', async () => {
    const time = fakeTime();
    const events: RetryEvent[] = [];
    let calls = 0;
    const result = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 4) throw coded('ECONNREFUSED');
        return 'stored';
      },
      { budgetMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000 },
      { ...time.env, onRetry: (event) => events.push(event) },
    );
    expect(result).toBe('stored');
    expect(calls).toBe(4);
    expect(time.sleeps).toEqual([50, 100, 200]);
    expect(events.map((event) => [event.retry, event.delayMs, event.elapsedMs])).toEqual([[1, 50, 0], [2, 100, 50], [3, 200, 150]]);
  });

  it('throws a permanent error at once, unchanged', async () => {
    const time = fakeTime();
    const permanent = coded('23505');
    let calls = 0;
    const error = await retryTransient(async () => {
      calls += 1;
      throw permanent;
    }, { budgetMs: 60_000 }, time.env).catch((e: unknown) => e);
    expect(error).toBe(permanent);
    expect(calls).toBe(1);
    expect(time.sleeps).toEqual([]);
  });

  it('gives up with DatabaseUnavailableError once the budget has passed since the first failure', async () => {
    const time = fakeTime();
    time.advance(0);
    let calls = 0;
    const last = coded('57P03', 'the database system is starting up');
    const error = await retryTransient(async () => {
      calls += 1;
      time.advance(30); // each attempt takes a while
      throw last;
    }, { budgetMs: 5_000, baseDelayMs: 100, maxDelayMs: 1_000 }, time.env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ code: 'E_DB_UNAVAILABLE', cause: last });
    const slept = time.sleeps.reduce((sum, ms) => sum + ms, 0);
    // The time between the first failure and giving up is the budget, give or take one attempt.
    expect(slept + 30 * (calls - 1)).toBeGreaterThanOrEqual(5_000);
    expect(slept + 30 * (calls - 1)).toBeLessThanOrEqual(5_000 + 30);
    // What gave up is not retried again by an outer retry.
    expect(isTransientDatabaseError(error)).toBe(false);
  });

  it('with a budget of 0 tries once and fails with DatabaseUnavailableError', async () => {
    const time = fakeTime();
    let calls = 0;
    const error = await retryTransient(async () => {
      calls += 1;
      throw coded('ECONNRESET');
    }, { budgetMs: 0 }, time.env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(calls).toBe(1);
  });

  it('stops retrying as soon as its signal aborts, even in the middle of a wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const pending = retryTransient(async () => {
      calls += 1;
      throw coded('ECONNREFUSED');
    }, { budgetMs: 60_000, baseDelayMs: 10_000, maxDelayMs: 10_000 }, { random: () => 0.99, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('SIGTERM')), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toBe(1);
  });

  it('never waits past the budget, and every wait stays under its ceiling (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 20, max: 500 }),
        async (budgetMs, baseDelayMs, maxDelayMs, draws, attemptMs) => {
          const time = fakeTime();
          let draw = 0;
          const env = { ...time.env, random: () => draws[draw++ % draws.length]! };
          // Every attempt costs time, as a refused connect does: the loop always moves on.
          const error = await retryTransient(async () => {
            time.advance(attemptMs);
            throw coded('ECONNRESET');
          }, { budgetMs, baseDelayMs, maxDelayMs }, env).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DatabaseUnavailableError);
          expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(budgetMs);
          time.sleeps.forEach((ms, retry) => {
            expect(ms).toBeGreaterThanOrEqual(0);
            expect(ms).toBeLessThan(Math.max(1, Math.min(maxDelayMs, baseDelayMs * 2 ** retry)));
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('isTransientDatabaseError on what the pg driver really throws', () => {
  it('retries a refused connection', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/x` });
    const error = await client.connect().catch((e: unknown) => e);
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  serverBackend.describe('on a server [postgres]', () => {
    it('retries a session terminated by the server (57P01), not an unknown database (3D000)', async () => {
      const database = await createTestDatabase();
      try {
        const victim = new pg.Client({ connectionString: database.url });
        victim.on('error', () => undefined);
        await victim.connect();
        const { rows } = await victim.query<{ pid: number }>('select pg_backend_pid() as pid');
        const admin = new pg.Client({ connectionString: database.url });
        await admin.connect();
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        await admin.end();
        const terminated = await victim.query('select 1').catch((e: unknown) => e);
        expect(isTransientDatabaseError(terminated)).toBe(true);
        await victim.end().catch(() => undefined);

        const url = new URL(database.url);
        url.pathname = '/stock_crawler_no_such_database';
        const missing = new pg.Client({ connectionString: url.toString() });
        const error = await missing.connect().catch((e: unknown) => e);
        expect(error).toMatchObject({ code: '3D000' });
        expect(isTransientDatabaseError(error)).toBe(false);
      } finally {
        await database.drop();
      }
    });
  });
});
