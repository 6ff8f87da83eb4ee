import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { tableExists } from '../db/schema/catalog.js';
import { createDailyBarsRepository } from '../db/bars/daily-bars-repository.js';
import { checkSchema } from '../db/schema/migrate.js';
import { openDatabase } from '../db/connection/open-database.js';
import { redactUrlPassword, withoutPassword } from '../redact-password.js';
import { createRunsRepository } from '../db/runs/runs-repository.js';
import type { Database } from '../db/schema/tables.js';
import { CrawlerError, SchemaError } from '../errors.js';
import { readReferenceState } from '../db/market/reference-state.js';
import type { DatabaseCheck, LastRunFacts, ReferenceFacts } from './decide-health.js';

export interface CheckDatabaseOptions {
  /** A server URL; without it the embedded database in `dataDir` is checked. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Bounds the whole check: connecting, every query, and the embedded database's opening. */
  timeoutMs: number;
  /** The markets whose universe is synced (symbolSources): the universe's age is the oldest of theirs. */
  markets: readonly string[];
}

type Findings = Pick<DatabaseCheck, 'schema' | 'newestTradeDate' | 'lastRun' | 'serverNow' | 'reference'>;

/**
 * Checks the database read-only: connects, reads the schema state, the newest stored
 * trading day and the last `update` run. Never throws: a failure is a result with
 * `ok: false` and an `error` that never holds the password. The embedded database is
 * neither created nor migrated here: a missing one is reported, and one held by a
 * running crawler is reported as in use (PGlite admits one process at a time).
 */
export async function checkDatabase(options: CheckDatabaseOptions): Promise<DatabaseCheck> {
  const started = performance.now();
  const kind = options.databaseUrl ? 'postgres' : 'pglite';
  const target = options.databaseUrl ? redactUrlPassword(options.databaseUrl) : options.dataDir;
  const result = (fields: Partial<DatabaseCheck>): DatabaseCheck => ({
    ok: false,
    kind,
    target,
    latencyMs: Math.round(performance.now() - started),
    error: null,
    inUseBy: null,
    schema: null,
    newestTradeDate: null,
    lastRun: null,
    serverNow: null,
    reference: null,
    ...fields,
    ...(fields.error ? { error: withoutPassword(fields.error, options.databaseUrl) } : {}),
  });

  if (kind === 'pglite') {
    if (!(await exists(join(options.dataDir, 'PG_VERSION')))) {
      return result({ error: `E_DB_UNAVAILABLE no embedded database in ${options.dataDir} (nothing crawled yet)` });
    }
    const holder = await lockHolder(options.dataDir);
    if (holder !== null) return result({ inUseBy: holder, error: `E_DB_UNAVAILABLE in use by process ${holder}` });
  }

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const work = inspect(options).then(
    (findings) => ({ findings }),
    (error: unknown) => ({ error }),
  );
  const outcome = await Promise.race([work, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    // The work goes on in the background and closes its connection when it ends;
    // statement_timeout and the connect timeout keep that short.
    return result({ error: `E_DB_UNAVAILABLE no answer within ${options.timeoutMs} ms` });
  }
  if ('error' in outcome) return result({ error: describeError(outcome.error) });
  return result({ ok: true, ...outcome.findings });
}

async function inspect(options: CheckDatabaseOptions): Promise<Findings> {
  const handle = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    poolSize: 1,
    applicationName: 'stock-crawler health',
    connectTimeoutMs: options.timeoutMs,
    migrateEmbedded: false,
  });
  try {
    // One read-only transaction on one connection, so the time limits set here hold
    // for every query that follows (a table locked by a migration must not hang us).
    return await handle.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        const limit = String(options.timeoutMs);
        await sql`select set_config('statement_timeout', ${limit}, true), set_config('lock_timeout', ${limit}, true)`.execute(trx);
        return readFindings(trx, options.markets);
      });
  } finally {
    await handle.close();
  }
}

async function readFindings(db: Kysely<Database>, markets: readonly string[]): Promise<Findings> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
  const serverNow = rows[0]?.now.getTime() ?? null;
  const status = await checkSchema(db);
  let problem: string | null = null;
  let newestTradeDate: string | null = null;
  if (!status.missingTables.includes('stock_daily_data')) {
    try {
      const latest = await (await createDailyBarsRepository(db)).latestTradeDates();
      for (const day of latest.values()) if (newestTradeDate === null || day > newestTradeDate) newestTradeDate = day;
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      problem = error.message;
    }
  }
  const lastRun = (await tableExists(db, 'crawl_runs')) ? await createRunsRepository(db).latest('update') : null;
  return {
    serverNow,
    reference: (await tableExists(db, 'market_sync_state')) ? await readReference(db, markets) : null,
    schema: {
      current: status.current,
      pending: status.pending,
      unknown: status.unknown,
      missingTables: status.missingTables,
      problem,
    },
    newestTradeDate,
    lastRun:
      lastRun === null
        ? null
        : ({
            id: lastRun.id,
            job: lastRun.job,
            shard: lastRun.shard,
            status: lastRun.status,
            startedAt: lastRun.startedAt.getTime(),
            heartbeatAt: lastRun.heartbeatAt.getTime(),
            finishedAt: lastRun.finishedAt?.getTime() ?? null,
          } satisfies LastRunFacts),
  };
}

async function readReference(db: Kysely<Database>, markets: readonly string[]): Promise<ReferenceFacts> {
  const state = await readReferenceState(db);
  const at = (source: string): number | null => state.sources.find((each) => each.source === source)?.syncedAt?.getTime() ?? null;
  const universe = markets.map(at);
  return {
    universeSyncedAt: universe.length === 0 || universe.includes(null) ? null : Math.min(...(universe as number[])),
    calendarSyncedAt: at('holidays'),
    activeSymbols: state.activeSymbols,
  };
}

function describeError(error: unknown): string {
  if (error instanceof CrawlerError) return `${error.code} ${error.message}`;
  const message = error instanceof Error ? error.message || error.name : String(error);
  return `E_DB_UNAVAILABLE ${message}`;
}


async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The live process holding `<dataDir>.lock` (see data-dir-lock.ts), or null. Opening
 * the directory then would fail; a run in progress is not a database that is down.
 */
async function lockHolder(dataDir: string): Promise<number | null> {
  const text = await readFile(`${dataDir.replace(/[\\/]+$/, '')}.lock`, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
