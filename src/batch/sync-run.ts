import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { calendarDateIn, type Clock } from '../clock.js';
import { createRunsRepository, type RunsRepository } from '../db/runs/runs-repository.js';
import { EXIT_CODES, exitCodeFor, SourceRefusedError, UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InstrumentType } from '../market/instrument-type.js';
import type { SymbolSource } from '../market/market.js';
import type { FetchSource } from '../market/source-client.js';
import { syncCalendar } from '../market/sync-calendar.js';
import { buildSyncDocument, type SyncDocument, type SyncStatus } from '../market/sync-document.js';
import { syncSymbols } from '../market/sync-symbols.js';

/** The switches of `stock-crawler sync`. */
export interface SyncFlags {
  /** Sync the universe only (`--symbols-only`). */
  symbolsOnly: boolean;
  /** Sync the holiday calendar only (`--calendar-only`). */
  calendarOnly: boolean;
  /** Fetch, read and decide; write nothing — no row, no sync state, no run record (`--dry-run`). */
  dryRun: boolean;
  /** Apply a sync that deactivates more than 5 % of a market's active symbols (`--allow-mass-delist`). */
  allowMassDelist: boolean;
}

/** Everything a sync touches, passed in. */
export interface SyncDeps {
  /** The migrated database (schema current). */
  db: Kysely<any>;
  /** Where the run is recorded (job `sync`); default: crawl_runs of `db`. */
  runs?: RunsRepository | undefined;
  /** Reads one reference page (see createSourceClient). */
  fetchSource: FetchSource;
  /** The markets to sync and their ISIN pages (`symbolSources`). */
  sources: readonly SymbolSource[];
  /** The holiday schedule's URL (`holidaySource`). */
  holidaySource: string;
  /** The instrument types kept (`symbolTypes`). */
  types: readonly InstrumentType[];
  flags: SyncFlags;
  /** The exchange's zone (`timeZone`): the day a delisting is dated. */
  timeZone: string;
  clock: Clock;
  logger: Logger;
  /** The run's id, process and host as recorded; default a new UUID, this process, this host. */
  run?: { id?: string | undefined; pid?: number | undefined; host?: string | undefined; arguments?: unknown } | undefined;
  /** Aborts the fetches (SIGINT/SIGTERM); the run is then recorded as interrupted and the reason rethrown. */
  signal?: AbortSignal | undefined;
}

/** What the CLI prints and how it exits. */
export interface SyncRunResult {
  /** The JSON document for stdout. */
  document: SyncDocument;
  status: SyncStatus;
  /** Sources refused (`TSE`, `TPEx`, `holidays`). */
  refused: string[];
  /** 0 every source used · 1 some refused (the others synced) · 3 none usable. */
  exitCode: number;
  /** When `status` is failed: the error an `update` that needs the universe can throw (exit 3). */
  error: SourceRefusedError | null;
}

/** @throws UsageError for flags that exclude each other. */
export function checkSyncFlags(flags: SyncFlags): void {
  if (flags.symbolsOnly && flags.calendarOnly) throw new UsageError('--symbols-only and --calendar-only exclude each other');
}

/**
 * Runs `stock-crawler sync`: the symbol universe from the ISIN pages and the market
 * holidays from the schedule, each source applied on its own or refused with a reason;
 * recorded in crawl_runs as job `sync` (not in a dry run). Never throws for a source; throws
 * for a database failure (after recording the run as failed), a UsageError for exclusive flags,
 * and the abort reason when `signal` fires.
 */
export async function runSync(deps: SyncDeps): Promise<SyncRunResult> {
  const { flags } = deps;
  checkSyncFlags(flags);
  const runs = deps.runs ?? createRunsRepository(deps.db);
  const runId = deps.run?.id ?? randomUUID();
  const record = !flags.dryRun;
  if (record) {
    await runs.start({
      id: runId,
      job: 'sync',
      arguments: deps.run?.arguments ?? { ...flags, types: deps.types, sources: deps.sources, holidaySource: deps.holidaySource },
      pid: deps.run?.pid ?? process.pid,
      host: deps.run?.host ?? hostname(),
      total: (flags.calendarOnly ? 0 : deps.sources.length) + (flags.symbolsOnly ? 0 : 1),
    });
  }
  try {
    const nowMs = deps.clock.now();
    const now = new Date(nowMs);
    const common = { db: deps.db, fetchSource: deps.fetchSource, dryRun: flags.dryRun, now, logger: deps.logger, signal: deps.signal };
    const symbols = flags.calendarOnly
      ? null
      : await syncSymbols({
          ...common,
          sources: deps.sources,
          types: deps.types,
          allowMassDelist: flags.allowMassDelist,
          today: calendarDateIn(nowMs, deps.timeZone),
        });
    const calendar = flags.symbolsOnly ? null : await syncCalendar({ ...common, url: deps.holidaySource });
    const built = buildSyncDocument({ runId: record ? runId : null, dryRun: flags.dryRun, nowMs: deps.clock.now(), symbols, calendar });
    const total = (symbols?.outcomes.length ?? 0) + (calendar === null ? 0 : 1);
    if (record) {
      await runs.finish(runId, built.status, built.document, {
        counts: { processed: total, total, succeeded: total - built.refused.length, failed: built.refused.length },
      });
    }
    const error = built.status === 'failed' ? new SourceRefusedError(built.refused, built.document.message) : null;
    return { ...built, exitCode: exitCodeOf(built.status, error), error };
  } catch (error) {
    if (record) {
      const interrupted = deps.signal?.aborted === true;
      const message = error instanceof Error ? error.message : String(error);
      await runs
        .finish(runId, interrupted ? 'interrupted' : 'failed', { success: false, message: `sync: ${message}`, source: 'node' })
        .catch((finishError: unknown) => deps.logger.warn({ err: finishError }, 'could not record the end of the sync run'));
    }
    throw error;
  }
}

function exitCodeOf(status: SyncStatus, error: SourceRefusedError | null): number {
  if (status === 'succeeded') return EXIT_CODES.ok;
  if (status === 'partial') return EXIT_CODES.failed;
  return exitCodeFor(error);
}
