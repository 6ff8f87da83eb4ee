import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { CrawlerError, DatabaseUnavailableError, LockHeldError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { redactUrlPassword, withoutPassword } from '../../redact-password.js';
import { rethrowUnavailable } from '../connection/connection-errors.js';
import { retryTransient } from '../connection/transient-retry.js';
import { findHolder, heldError } from './lock-holder.js';
import { lockSteps, runLockName, tryLocks, unlock, type RunLockKey } from './lock-steps.js';

export { runLockName, type RunLockKey } from './lock-steps.js';
export type { LockHolder } from './lock-holder.js';

export interface RunLockOptions {
  /** How long to wait for the holder to let go; 0 or undefined: refuse at once. */
  waitMs?: number | undefined;
  /** Time between two tries while waiting. Default 1 000 ms. */
  pollMs?: number | undefined;
  now?: () => number;
  /** Rejects when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops a wait (SIGINT/SIGTERM). */
  signal?: AbortSignal | undefined;
  logger?: Pick<Logger, 'info' | 'warn'> | undefined;
  /**
   * After the lock's session is lost (the server restarted), how long to keep trying to
   * take the lock again, in ms (the run's dbRetryMs). Default 0: one try.
   */
  reacquireMs?: number | undefined;
}

/** A held run lock; `release()` once the run is recorded as finished (idempotent). */
export interface RunLock {
  release(): Promise<void>;
  /**
   * Aborts when the lock is lost for good, its reason the CrawlerError that should end the
   * run: LockHeldError when another run took it while this one's session was gone,
   * DatabaseUnavailableError when it could not be taken again within `reacquireMs`.
   */
  readonly lost: AbortSignal;
}

const DEFAULT_POLL_MS = 1_000;

/**
 * Takes the run lock of `key`: one `update` per job and shard at a time, and an unsharded
 * run never beside a sharded one (see lockSteps).
 *
 * On a server it is a session-level advisory lock held by a connection of its own
 * (not one of the pool's): PostgreSQL releases it when that session ends, so a killed
 * run leaves nothing stale behind. The connection is not the pool's because pg emits an
 * 'error' event on a checked-out client whose server goes away, which nobody listens to
 * there and which would kill the process; here it is listened to and logged.
 *
 * The lock dies with its session, so a database restart in the middle of a run frees
 * it. The run then takes it again on a new session, retrying for `reacquireMs` as the
 * bar writer retries its statements: ending the run instead would turn every short
 * outage the writer rides out into a failed run. Should another run take the lock in
 * between, `lost` aborts with LockHeldError and this run stops. Until the lock is held
 * again writes may go on, which is harmless: each is one idempotent upsert transaction,
 * so two runs writing the same symbols store the same rows.
 *
 * Without `databaseUrl` (the embedded database) the lock is a no-op: the data directory's
 * PID lock already keeps a second process out, and PGlite's single connection could not
 * be held for a whole run.
 * @throws LockHeldError naming the holding run, when the lock is held (after `waitMs`);
 * DatabaseUnavailableError when the server cannot be reached.
 */
export async function acquireRunLock(databaseUrl: string | undefined, key: RunLockKey, options: RunLockOptions = {}): Promise<RunLock> {
  if (databaseUrl === undefined) return { release: async () => undefined, lost: new AbortController().signal };
  const released = new AbortController();
  const isReleased = (): boolean => released.signal.aborted;
  let client = await connect(databaseUrl, key, options.logger, isReleased);
  try {
    await waitForLock(client, key, options);
  } catch (error) {
    await client.end().catch(() => undefined);
    if (error instanceof LockHeldError) throw error;
    rethrowUnavailable(error);
  }

  const lost = new AbortController();
  const takeAgain = async (): Promise<void> => {
    options.logger?.warn({ lock: runLockName(key) }, 'taking the run lock again on a new session');
    try {
      const next = await retryTransient(() => relock(databaseUrl, key, options.logger, isReleased), { budgetMs: options.reacquireMs ?? 0 }, {
        ...(options.now === undefined ? {} : { clock: { now: options.now } }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        signal: released.signal,
      });
      if (isReleased()) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      watch(next);
      options.logger?.info({ lock: runLockName(key) }, 'run lock taken again');
    } catch (error) {
      if (isReleased()) return;
      lost.abort(error instanceof CrawlerError ? error : new DatabaseUnavailableError(`the run lock was lost: ${String(error)}`, { cause: error }));
    }
  };
  // A take-over in progress: release() waits for it, so no new session outlives the release.
  let reacquiring: Promise<void> | undefined;
  const watch = (session: pg.Client): void => {
    session.once('end', () => {
      if (!isReleased()) reacquiring = takeAgain();
    });
  };
  watch(client);

  let releasing: Promise<void> | undefined;
  return {
    lost: lost.signal,
    release: () =>
      (releasing ??= (async () => {
        released.abort();
        await reacquiring;
        // Ending the session frees the locks anyway; unlocking first says so explicitly, and
        // once it has, nothing waits for the server to close the session (~10 ms at the end
        // of every run). Only a failed unlock leaves the session's end to free them.
        const unlocked = await unlock(client, lockSteps(key)).then(
          () => true,
          () => false,
        );
        const ended = client.end().catch(() => undefined);
        if (!unlocked) await ended;
      })()),
  };
}

/** One try at the lock on a new session, after the old one was lost. */
async function relock(url: string, key: RunLockKey, logger: RunLockOptions['logger'], isReleased: () => boolean): Promise<pg.Client> {
  const client = await connect(url, key, logger, isReleased);
  try {
    const blocked = await tryLocks(client, lockSteps(key));
    if (blocked === undefined) return client;
    throw heldError(key, await findHolder(client, key, blocked), 'took it while this run\'s database session was lost');
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function connect(url: string, key: RunLockKey, logger: RunLockOptions['logger'], isReleased: () => boolean): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    // Shown in pg_stat_activity: an operator can see who holds the lock.
    application_name: `stock-crawler ${runLockName(key)} lock`,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  client.on('error', (error) => {
    if (isReleased()) return;
    logger?.warn({ err: error, lock: runLockName(key) }, 'lost the run lock\'s database session');
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = error instanceof Error && error.message ? error.message : String(error);
    throw new DatabaseUnavailableError(`cannot connect to ${redactUrlPassword(url)} for the run lock: ${withoutPassword(reason, url)}`, { cause: error });
  }
  // A server-wide idle_session_timeout (PostgreSQL 14+) would end this idle session, and
  // the lock with it, in the middle of a run. Older servers have no such setting.
  await client.query(`select set_config(name, '0', false) from pg_settings where name = 'idle_session_timeout'`).catch(() => undefined);
  return client;
}

async function waitForLock(client: pg.Client, key: RunLockKey, options: RunLockOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const waitMs = options.waitMs ?? 0;
  const started = now();
  const deadline = started + waitMs;
  for (let first = true; ; first = false) {
    const blocked = await tryLocks(client, lockSteps(key));
    if (blocked === undefined) {
      if (!first) options.logger?.info({ lock: runLockName(key), waitedMs: now() - started }, 'run lock taken');
      return;
    }
    const holder = await findHolder(client, key, blocked);
    const remaining = deadline - now();
    if (remaining <= 0) throw heldError(key, holder, waitMs > 0 ? `still holds it after ${formatSeconds(now() - started)}` : undefined);
    if (first) {
      options.logger?.info({ lock: runLockName(key), holder: holder?.runId ?? null, waitMs }, 'another run holds the run lock: waiting');
    }
    try {
      await sleep(Math.min(options.pollMs ?? DEFAULT_POLL_MS, remaining), options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw heldError(key, holder, 'holds it; stopped waiting on a signal');
      throw error;
    }
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

