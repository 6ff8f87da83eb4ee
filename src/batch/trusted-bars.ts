import type { DailyBar } from '../core/daily-bar.js';
import { faultsOfAttempts, type MirrorFault } from '../mirrors/fault-kind.js';
import type { Attempt } from '../mirrors/fetch-symbol.js';
import type { RejectedBar, ValidationResult } from '../validate/validate-bars.js';
import { ask, charge, type Answer, type Ledger, type TrustedFailureCode } from './ask-mirror.js';
import { confirmHistory, refetchAgreed, type ConfirmDeps, type Settled } from './confirm-history.js';
import { judgeOverlap, type Opinion } from './overlap-verdict.js';
import type { SymbolPlan } from './plan.js';

export type { BatchFetchRequest, TrustedFailureCode } from './ask-mirror.js';

/** What {@link fetchTrustedBars} needs: the fetch, today, and how whole histories are confirmed. */
export type TrustedBarsDeps = ConfirmDeps;

/**
 * The bars to store, from the mirror that served them, or why there are none. `attempts`
 * holds every request made for the symbol; `faults` every mirror fault met, the attempts'
 * own and those only a comparison between mirrors shows (`empty`, `disagreement`).
 */
export type TrustedBars =
  | {
      ok: true;
      bars: DailyBar[];
      /** The rows of the stored answer that validation refused, with their rule. */
      rejected: RejectedBar[];
      validation: ValidationResult['counts'];
      broker: string;
      /** Two mirrors agreed on changed history: the whole of it was fetched again. */
      revised: boolean;
      /** A second mirror confirmed the newest bars of a whole history before it was stored. */
      confirmed: boolean;
      attempts: Attempt[];
      faults: MirrorFault[];
      /** The faults only comparing mirrors showed (their requests were booked as successes). */
      judged: MirrorFault[];
    }
  | { ok: false; code: TrustedFailureCode; message: string; attempts: Attempt[]; faults: MirrorFault[]; judged: MirrorFault[] };

/**
 * Fetches a symbol's bars as its plan says, trusting no single mirror where a second one can
 * be asked:
 * - a whole history (a first fetch, `--full`, the refetch when no stored day overlaps) is
 *   stored only once a second mirror confirms its newest bars (see confirmHistory); an
 *   empty answer for an unknown symbol asks one more mirror before the symbol counts as
 *   having no data, and a mirror hiding a history is charged an `empty` fault;
 * - an incremental window that disagrees with the stored bars is asked of other mirrors (see
 *   {@link judgeOverlap}): a mirror out of line is charged a `disagreement` and another's
 *   window is stored; only two mirrors agreeing on new values make a revision, and the full
 *   history then fetched must carry those values too, or its mirror is charged and skipped.
 * A nightly window that matches the stored bars costs one request, as before.
 */
export async function fetchTrustedBars(symbol: string, plan: Exclude<SymbolPlan, { kind: 'skip' }>, stored: readonly DailyBar[], deps: TrustedBarsDeps): Promise<TrustedBars> {
  const ledger: Ledger = { attempts: [], judged: [] };
  // A forced full fetch is of a symbol with stored history: an empty answer is a mirror's fault there too.
  const settled =
    plan.kind === 'incremental'
      ? await incremental(symbol, plan.count, stored, deps, ledger)
      : await fullHistory(symbol, plan.reason === 'forced_full', deps, ledger);
  const faults = [...faultsOfAttempts(ledger.attempts), ...ledger.judged];
  const { attempts, judged } = ledger;
  if (!settled.ok) return { ...settled, attempts, faults, judged };
  const { broker, bars, rejected, validation, revised, confirmed } = settled;
  return { ok: true, broker, bars, rejected, validation, revised, confirmed, attempts, faults, judged };
}

async function fullHistory(symbol: string, known: boolean, deps: TrustedBarsDeps, ledger: Ledger): Promise<Settled> {
  const first = await ask(symbol, { count: deps.fullCount, known }, deps, ledger);
  if (!first.ok) return first;
  if (first.validation.input > 0) return confirmHistory(symbol, first, [], deps, ledger);
  if (known) return { ...first, revised: false, confirmed: false };
  // An unknown symbol costs one more request; a mirror hiding a history costs it.
  const second = await ask(symbol, { count: deps.fullCount, known, exclude: [first.broker] }, deps, ledger);
  if (!second.ok) return second;
  if (second.validation.input === 0) return { ...second, revised: false, confirmed: false };
  ledger.judged.push({ broker: first.broker, kind: 'empty' });
  return confirmHistory(symbol, second, [first.broker], deps, ledger);
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
        return { ...answers[verdict.source]!, revised: false, confirmed: false };
      case 'no_overlap':
        // Nothing to compare with: the whole history replaces the stored one, as a first fetch would.
        return fullHistory(symbol, true, deps, ledger);
      case 'revised':
        charge(ledger, verdict.faulty);
        return refetchAgreed(symbol, answers[verdict.source]!.bars, verdict.faulty, true, deps, ledger);
      case 'unresolved':
        return {
          ok: false,
          code: 'E_MIRRORS_DISAGREE',
          message: `${symbol}: ${opinions.map((o) => o.broker).join(', ')} sent different bars for the same days, none matching the stored ones`,
        };
    }
  }
}
