import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { DailyBar } from '../core/daily-bar.js';
import type { CompletenessReader } from '../db/quality/completeness-reader.js';
import type { SymbolRowsReader } from '../db/quality/symbol-rows.js';
import type { RunCounts, RunsRepository } from '../db/runs/runs-repository.js';
import { CrawlerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgreementReport } from './agreement-report.js';
import { checkAgainst, type AgainstReport } from './check-against.js';
import { checkAgreement, type FetchWindow, type RepairWriter } from './check-agreement.js';
import { checkCompleteness, type CompletenessReport } from './check-completeness.js';
import { sampleSymbols } from './sample-symbols.js';
import { verifyDocument, type VerifyDocument } from './verify-document.js';

/** Which symbols the mirrors are asked about: a random sample of the active ones, all of them, or a list. */
export type VerifySelection = { kind: 'sample' } | { kind: 'all' } | { kind: 'list'; symbols: readonly string[] };

/**
 * The run's settings, every one given; their defaults are those declared for the options
 * `bars`, `sample`, `minAgreement`, `repair` and `concurrency`.
 */
export interface VerifyOptions {
  /** Newest stored bars compared per symbol (K). */
  bars: number;
  /** Symbols sampled for the mirror comparison; 0 asks no mirror. */
  sample: number;
  /** Agreement (and against) below this, in percent, fails the check. */
  minAgreement: number;
  /** Write what two mirrors agree on where the store differs or lacks it. */
  repair: boolean;
  /** Symbols compared with the mirrors at once; the mirror pool keeps its own limits. */
  concurrency: number;
}

/** Everything {@link runVerify} touches, passed in. */
export interface VerifyDeps {
  selection: VerifySelection;
  /** Codes of every active stock (StocksRepository.activeSymbols). */
  activeSymbols(): Promise<string[]>;
  completeness: CompletenessReader;
  /** DailyBarsRepository.recentBars. */
  recentBars(symbols: readonly string[], perSymbol: number): Promise<Map<string, DailyBar[]>>;
  /** Absent: no mirror is asked, `agreement` is null. */
  fetchWindow?: FetchWindow | undefined;
  /** The bar writer for `--repair` (one transaction per symbol). Required when `options.repair`. */
  repair?: RepairWriter | undefined;
  /** `--against`: our rows, the other database's, and the days compared (`to` defaults to the last session). */
  against?:
    | { ours: SymbolRowsReader; theirs: SymbolRowsReader & { target: string }; from?: string | undefined; to?: string | undefined }
    | undefined;
  /** Records the run in crawl_runs (job `verify`); absent: not recorded. */
  runs?: Pick<RunsRepository, 'start' | 'finish'> | undefined;
  /** Trading holidays, 'YYYY-MM-DD'; empty = weekdays only. */
  holidays: ReadonlySet<string>;
  /** The last closed session, 'YYYY-MM-DD'. */
  lastSession: string;
  options: Readonly<VerifyOptions>;
  clock: Clock;
  logger: Logger;
  /** For the sample; default Math.random. */
  random?: (() => number) | undefined;
  /** Stops the mirror and against checks between symbols; the document says `interrupted`. */
  signal?: AbortSignal | undefined;
  /** The run's identity in crawl_runs; a fresh UUID, this process and host by default. `arguments` is stored sanitized. */
  run?: { id?: string; pid?: number; host?: string; arguments?: unknown } | undefined;
}

/** The document, and the exit code it means: 0 every check passed, 1 one failed (or the run was interrupted). */
export interface VerifyOutcome {
  document: VerifyDocument;
  exitCode: 0 | 1;
}

/**
 * Runs `verify`: completeness from the database alone (the listed symbols, or every active
 * one, against the active universe's evidence of closures), agreement of the chosen
 * symbols' newest bars with two mirrors (repairing where asked, then judging completeness
 * again), and agreement with another database when one is given. Database reads are
 * confined to the listed symbols, or the active ones; the sample limits only what the
 * mirrors are asked. The run is recorded in crawl_runs as job `verify`: `succeeded` when
 * every check passed, `partial` when one failed, `interrupted`, or `failed` when it threw.
 * @throws what the database or the mirror pool throws when it stops the run (the run is then recorded as failed).
 */
export async function runVerify(deps: VerifyDeps): Promise<VerifyOutcome> {
  const { options } = deps;
  if (options.repair && deps.repair === undefined) throw new CrawlerError('E_INTERNAL', 'verify --repair needs a bar writer');
  const startedAt = deps.clock.now();
  const runId = deps.run?.id ?? randomUUID();
  const active = await deps.activeSymbols();
  const chosen = deps.selection.kind === 'list' ? [...deps.selection.symbols] : active;

  await deps.runs?.start({
    id: runId,
    job: 'verify',
    arguments: deps.run?.arguments ?? { selection: deps.selection.kind, ...options },
    pid: deps.run?.pid ?? process.pid,
    host: deps.run?.host ?? hostname(),
    total: chosen.length,
  });
  try {
    const { completeness, agreement, against } = await runChecks(deps, options, active, chosen);
    const finishedAtMs = deps.clock.now();
    const document = verifyDocument({
      runId,
      completeness,
      agreement,
      against,
      minAgreement: options.minAgreement,
      durationMs: finishedAtMs - startedAt,
      finishedAtMs,
      interrupted: deps.signal?.aborted === true,
    });
    const status = document.interrupted ? 'interrupted' : document.success ? 'succeeded' : 'partial';
    await deps.runs?.finish(runId, status, document, { counts: runCounts(completeness, agreement) });
    deps.logger.info({ run_id: runId, failed_checks: document.result.failed_checks }, 'verify finished');
    return { document, exitCode: document.success ? 0 : 1 };
  } catch (error) {
    await recordFailure(deps, runId, error);
    throw error;
  }
}

interface Reports {
  completeness: CompletenessReport;
  agreement: AgreementReport | null;
  against: AgainstReport | null;
}

/** The three checks, in order: completeness, agreement (and its repair), against. */
async function runChecks(deps: VerifyDeps, options: VerifyOptions, active: readonly string[], chosen: readonly string[]): Promise<Reports> {
  const judgeCompleteness = () =>
    timed(deps.logger, 'completeness', () =>
      checkCompleteness(deps.completeness, { symbols: chosen, evidence: active, holidays: deps.holidays, lastSession: deps.lastSession }),
    );
  const { report: found, withBars } = await judgeCompleteness();
  const asked = mirrorSymbols(deps, options, active, withBars);
  const fetchWindow = deps.fetchWindow;
  const agreement =
    fetchWindow === undefined || asked.length === 0
      ? null
      : await timed(deps.logger, 'agreement', () =>
          checkAgreement({
            symbols: asked,
            recentBars: deps.recentBars,
            fetchWindow,
            repair: options.repair ? deps.repair : undefined,
            bars: options.bars,
            concurrency: options.concurrency,
            lastSession: found.last_session,
            signal: deps.signal,
            logger: deps.logger,
          }),
        );
  // Bars the repair wrote may have filled gaps: judge the store as it now is.
  const completeness = (agreement?.repaired ?? 0) > 0 ? (await judgeCompleteness()).report : found;
  const other = deps.against;
  const against =
    other === undefined
      ? null
      : await timed(deps.logger, 'against', () =>
          checkAgainst({
            symbols: chosen,
            ours: other.ours,
            theirs: other.theirs,
            range: { from: other.from, to: other.to ?? completeness.last_session },
            signal: deps.signal,
          }),
        );
  return { completeness, agreement, against };
}

/** The symbols the mirrors are asked about: the list, every active one, or a sample of those with stored bars. */
function mirrorSymbols(deps: VerifyDeps, options: VerifyOptions, active: readonly string[], withBars: ReadonlySet<string>): string[] {
  switch (deps.selection.kind) {
    case 'list':
      return [...deps.selection.symbols];
    case 'all':
      return [...active];
    case 'sample':
      return sampleSymbols(
        active.filter((symbol) => withBars.has(symbol)),
        options.sample,
        deps.random ?? Math.random,
      );
  }
}

/** crawl_runs counts: the symbols asked of the mirrors, or without a mirror check, the symbols judged for completeness. */
function runCounts(completeness: CompletenessReport, agreement: AgreementReport | null): RunCounts {
  if (agreement === null) {
    return { processed: completeness.symbols, total: completeness.symbols, succeeded: completeness.up_to_date, failed: completeness.lagging.length };
  }
  const total = agreement.symbols + agreement.failed + agreement.skipped;
  return { processed: total, total, succeeded: agreement.symbols, failed: agreement.failed };
}

async function recordFailure(deps: VerifyDeps, runId: string, error: unknown): Promise<void> {
  if (deps.runs === undefined) return;
  const code = error instanceof CrawlerError ? error.code : 'E_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  try {
    await deps.runs.finish(runId, 'failed', { success: false, message, error: { code }, source: 'node' });
  } catch (recordError) {
    // The database that failed the run usually cannot record it either; the run's own error is what matters.
    deps.logger.warn({ run_id: runId, err: recordError }, 'could not record the failed verify run');
  }
}

async function timed<T>(logger: Logger, check: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  logger.info({ check, ms: Math.round(performance.now() - started) }, 'verify check done');
  return result;
}
