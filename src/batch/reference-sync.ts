import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { readReferenceState } from '../db/market/reference-state.js';
import type { Logger } from '../logger.js';
import { referenceAge } from '../market/reference-age.js';
import { createSourceClient } from '../market/source-client.js';
import type { SyncDocument } from '../market/sync-document.js';
import { SourceRefusedError } from '../errors.js';
import { runSync, type SyncFlags, type SyncRunResult } from './sync-run.js';

/** What a sync runs with. */
export interface SyncEnvironment {
  config: Config;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal | undefined;
}

/** Syncs the universe and the calendar into `db` from the configured sources. */
export async function syncReference(db: Kysely<any>, flags: SyncFlags, env: SyncEnvironment): Promise<SyncRunResult> {
  const { config } = env;
  const client = createSourceClient({ timeoutMs: config.sourceTimeoutMs, maxBytes: config.sourceMaxBytes, userAgent: config.userAgent });
  try {
    return await runSync({
      db,
      fetchSource: client.fetch,
      sources: config.symbolSources,
      holidaySource: config.holidaySource,
      types: config.symbolTypes,
      flags,
      timeZone: config.timeZone,
      clock: env.clock,
      logger: env.logger,
      signal: env.signal,
    });
  } finally {
    await client.close();
  }
}

/**
 * What `update` did about the reference data before crawling: `fresh` (young enough), or
 * `synced`, `partial`, `failed` (a failed sync with a usable stored universe: the run goes
 * on with it).
 */
export interface ReferenceStep {
  status: 'fresh' | 'synced' | 'partial' | 'failed';
  /** Age of the stored universe before the step, seconds; null when it was never synced. */
  universe_age_s: number | null;
  message: string;
  /** The sync's result, when one ran. */
  sync: SyncDocument['result'] | null;
}

/**
 * Before an `update` of the whole universe: syncs when the universe is empty or older than
 * referenceMaxAgeMs. A sync that fails leaves a usable stored universe in place (a
 * warning); with none stored, the run cannot go on.
 * @throws SourceRefusedError (exit 3) when the sync failed and no active symbol is stored.
 */
export async function refreshReference(db: Kysely<any>, env: SyncEnvironment): Promise<ReferenceStep> {
  const { config, logger } = env;
  const state = await readReferenceState(db);
  const markets = config.symbolSources.map((source) => source.market);
  const age = referenceAge(state, env.clock.now(), markets);
  const ageS = age.universe.ageMs === null ? null : Math.round(age.universe.ageMs / 1000);
  const stale = state.activeSymbols === 0 || age.universe.ageMs === null || age.universe.ageMs > config.referenceMaxAgeMs;
  if (!stale) return { status: 'fresh', universe_age_s: ageS, message: 'the universe and calendar are recent enough', sync: null };
  logger.info({ universe_age_s: ageS, active: state.activeSymbols }, 'the symbol universe is empty or old: syncing it first');
  const result = await syncReference(db, { symbolsOnly: false, calendarOnly: false, dryRun: false, allowMassDelist: false }, env);
  const status = result.status === 'succeeded' ? 'synced' : result.status;
  if (status === 'failed') {
    if (state.activeSymbols === 0) throw result.error ?? new SourceRefusedError(result.refused, result.document.message);
    logger.warn({ refused: result.refused }, 'the sync failed: crawling the stored universe');
  }
  return { status, universe_age_s: ageS, message: result.document.message, sync: result.document.result };
}
