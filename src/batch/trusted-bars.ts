import { faultsOfAttempts, type MirrorFault } from '../mirrors/fault-kind.js';
import type { Attempt, FetchFailureCode, FetchOutcome } from '../mirrors/fetch-symbol.js';
import type { DailySeries } from '../core/daily-series.js';
import type { DailyBar } from '../core/daily-bar.js';
import { validateBars, type ValidationResult } from '../validate/validate-bars.js';
import { confirmsRevision, judgeOverlap, type Opinion } from './overlap-verdict.js';
import type { SymbolPlan } from './plan.js';

/** Fetch options of one request: how many bars, whether an empty answer is suspect, whom not to ask. */
export interface BatchFetchRequest {
  count: number;
  /** The symbol has stored history: an empty answer is a mirror fault, not "no data". */
  known: boolean;
  /** Mirror names not to ask: already heard on this question, or found at fault. */
  exclude?: readonly string[] | undefined;
}

/** What {@link fetchTrustedBars} needs. */
export interface TrustedBarsDeps {
  fetch: (symbol: string, request: BatchFetchRequest) => Promise<FetchOutcome<DailySeries>>;
  /** Today in the trading calendar's zone, for validation. */
  today: string;
  /** djbcd `c` of a whole history. */
  fullCount: number;
}

/** Codes a symbol can fail with before anything is written. */
export type TrustedFailureCode = FetchFailureCode | 'E_MIRRORS_DISAGREE';

/**
 * The bars to store, from the mirror that served them, or why there are none. `attempts`
 * holds every request made for the symbol; `faults` every mirror fault met, the attempts'
 * own and those only a comparison between mirrors shows (`empty`, `disagreement`).
 */
export type TrustedBars =
  | {
      ok: true;
      bars: DailyBar[];
      validation: ValidationResult['counts'];
      broker: string;
      /** Two mirrors agreed on changed history: the whole of it was fetched again. */
      revised: boolean;
      attempts: Attempt[];
      faults: MirrorFault[];
    }
  | { ok: false; code: TrustedFailureCode; message: string; attempts: Attempt[]; faults: MirrorFault[] };

type Answer =
  | { ok: true; broker: string; bars: DailyBar[]; validation: ValidationResult['counts'] }
  | { ok: false; code: TrustedFailureCode; message: string };

/** Requests made for one symbol, and the faults found by comparing their answers. */
interface Ledger {
  attempts: Attempt[];
  judged: MirrorFault[];
}

/**
 * Fetches a symbol's bars as its plan says, trusting no single mirror where a second one can
 * be checked cheaply:
 * - a full plan whose answer is empty asks one more mirror before the symbol counts as having
 *   no data; if that one has bars, the first is charged an `empty` fault and its bars are used;
 * - an incremental window that disagrees with the stored bars is asked of other mirrors (see
 *   {@link judgeOverlap}): a mirror out of line is charged a `disagreement` and another's
 *   window is stored; only two mirrors agreeing on new values make a revision, and the full
 *   history then fetched must carry those values too, or its mirror is charged and skipped.
 * Nightly runs with healthy mirrors make exactly the requests they made before.
 */
export async function fetchTrustedBars(symbol: string, plan: Exclude<SymbolPlan, { kind: 'skip' }>, stored: readonly DailyBar[], deps: TrustedBarsDeps): Promise<TrustedBars> {
  const ledger: Ledger = { attempts: [], judged: [] };
  const settled = plan.kind === 'incremental' ? await incremental(symbol, plan.count, stored, deps, ledger) : await fullHistory(symbol, false, deps, ledger);
  const faults = [...faultsOfAttempts(ledger.attempts), ...ledger.judged];
  if (!settled.ok) return { ...settled, attempts: ledger.attempts, faults };
  const { broker, bars, validation } = settled;
  return { ok: true, broker, bars, validation, revised: settled.revised, attempts: ledger.attempts, faults };
}

async function ask(symbol: string, request: BatchFetchRequest, deps: TrustedBarsDeps, ledger: Ledger): Promise<Answer> {
  const outcome = await deps.fetch(symbol, request);
  ledger.attempts.push(...outcome.attempts);
  if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
  const validation = validateBars(symbol, outcome.value, { today: deps.today });
  return { ok: true, broker: outcome.broker, bars: validation.accepted, validation: validation.counts };
}

type Settled = (Extract<Answer, { ok: true }> & { revised: boolean }) | Extract<Answer, { ok: false }>;

async function fullHistory(symbol: string, known: boolean, deps: TrustedBarsDeps, ledger: Ledger): Promise<Settled> {
  const first = await ask(symbol, { count: deps.fullCount, known }, deps, ledger);
  if (!first.ok) return first;
  if (known || first.validation.input > 0) return { ...first, revised: false };
  // An unknown symbol costs one more request; a mirror hiding a history costs it.
  const second = await ask(symbol, { count: deps.fullCount, known, exclude: [first.broker] }, deps, ledger);
  if (!second.ok) return second;
  if (second.validation.input > 0) ledger.judged.push({ broker: first.broker, kind: 'empty' });
  return { ...second, revised: false };
}

async function incremental(symbol: string, count: number, stored: readonly DailyBar[], deps: TrustedBarsDeps, ledger: Ledger): Promise<Settled> {
  const answers: Array<Extract<Answer, { ok: true }>> = [];
  let exclude: string[] = [];
  for (;;) {
    const answer = await ask(symbol, { count, known: true, exclude }, deps, ledger);
    if (!answer.ok) return answer;
    answers.push(answer);
    const opinions: Opinion[] = answers.map(({ broker, bars }) => ({ broker, bars }));
    const verdict = judgeOverlap(stored, opinions);
    switch (verdict.kind) {
      case 'ask':
        exclude = verdict.exclude;
        continue;
      case 'holds':
        charge(ledger, verdict.faulty);
        return { ...answers[verdict.source]!, revised: false };
      case 'no_overlap':
        // Nothing to compare with: the whole history replaces the stored one, as a first fetch would.
        return fullHistory(symbol, true, deps, ledger);
      case 'revised':
        charge(ledger, verdict.faulty);
        return refetchRevised(symbol, answers[verdict.source]!.bars, verdict.faulty, deps, ledger);
      case 'unresolved':
        return {
          ok: false,
          code: 'E_MIRRORS_DISAGREE',
          message: `${symbol}: ${opinions.map((o) => o.broker).join(', ')} sent different bars for the same days, none matching the stored ones`,
        };
    }
  }
}

async function refetchRevised(symbol: string, agreed: readonly DailyBar[], faulty: readonly string[], deps: TrustedBarsDeps, ledger: Ledger): Promise<Settled> {
  const shunned = [...faulty];
  // Each round skips one more mirror, so the fetch runs out of mirrors rather than looping.
  for (;;) {
    const full = await ask(symbol, { count: deps.fullCount, known: true, exclude: shunned }, deps, ledger);
    if (!full.ok) return full;
    if (confirmsRevision(agreed, full.bars)) return { ...full, revised: true };
    ledger.judged.push({ broker: full.broker, kind: 'disagreement' });
    shunned.push(full.broker);
  }
}

function charge(ledger: Ledger, brokers: readonly string[]): void {
  for (const broker of brokers) ledger.judged.push({ broker, kind: 'disagreement' });
}
