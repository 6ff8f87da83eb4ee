import type { DailyBar } from '../core/daily-bar.js';
import { ask, charge, type Answer, type AskDeps, type Ledger } from './ask-mirror.js';

/** Largest price difference between two mirrors' bars still taken as the same (prices carry at most 4 decimals; 0.01 as the old service's comparison). */
export const CONFIRM_PRICE_TOLERANCE = 0.01;

/** A full history as settled: the answer stored, whether two mirrors agreed on it, whether it rewrites a revision. */
export type Settled = (Extract<Answer, { ok: true }> & { revised: boolean; confirmed: boolean }) | Extract<Answer, { ok: false }>;

/** What confirming a history needs besides asking. */
export interface ConfirmDeps extends AskDeps {
  /** djbcd `c` of a whole history. */
  fullCount: number;
  /** Newest bars a second mirror is asked for to confirm a whole history. */
  confirmBars: number;
  /** Mirrors configured: with one, there is no second to ask. */
  mirrorCount: number;
}

/**
 * What one mirror's newest bars (`window`) say of another's history on its newest `size`
 * days, compared on the days both have: `agree` (the same dates, prices within
 * {@link CONFIRM_PRICE_TOLERANCE}, the same volume), `lags` (agrees, but the window has not
 * yet got the newest days), `ahead` (agrees, and the window has days the history lacks),
 * `differs` (another value, a day missing or added between, or no bars). A mirror a
 * session behind is late, not wrong.
 */
export function compareWindow(history: readonly DailyBar[], window: readonly DailyBar[], size: number): 'agree' | 'lags' | 'ahead' | 'differs' {
  const expected = history.slice(-size);
  const got = window.slice(-size);
  const [lastExpected, lastGot] = [expected.at(-1)?.trade_date, got.at(-1)?.trade_date];
  if (lastExpected === undefined || lastGot === undefined) return 'differs';
  const until = lastExpected < lastGot ? lastExpected : lastGot;
  const mine = expected.filter((bar) => bar.trade_date <= until);
  const theirs = got.filter((bar) => bar.trade_date <= until);
  const shared = Math.min(mine.length, theirs.length);
  if (shared === 0) return 'differs';
  const [a, b] = [mine.slice(-shared), theirs.slice(-shared)];
  if (!a.every((bar, i) => sameBar(bar, b[i]!))) return 'differs';
  return lastGot < lastExpected ? 'lags' : lastGot > lastExpected ? 'ahead' : 'agree';
}

function sameBar(a: DailyBar, b: DailyBar): boolean {
  const near = (x: number, y: number): boolean => Math.abs(x - y) <= CONFIRM_PRICE_TOLERANCE;
  return (
    a.trade_date === b.trade_date &&
    near(a.open_price, b.open_price) &&
    near(a.high_price, b.high_price) &&
    near(a.low_price, b.low_price) &&
    near(a.close_price, b.close_price) &&
    a.volume === b.volume
  );
}

/**
 * No whole history is stored on one mirror's word: a second mirror is asked for the newest
 * `confirmBars` bars and must agree (a mirror a session behind that agrees on every day it
 * has only sends the question on to a third). When the second disagrees, a third decides:
 * the two that agree win and the odd one is charged a `disagreement`; if they are the second
 * and the third, the history is fetched again from a mirror other than the first and must
 * carry their values. No two agreeing: E_MIRRORS_DISAGREE, nothing written. With one mirror
 * configured there is no second to ask; when every other mirror fails, the symbol fails.
 */
export async function confirmHistory(symbol: string, answer: Extract<Answer, { ok: true }>, excluded: readonly string[], deps: ConfirmDeps, ledger: Ledger): Promise<Settled> {
  const size = Math.min(deps.confirmBars, answer.bars.length);
  if (size === 0 || deps.mirrorCount < 2) return { ...answer, revised: false, confirmed: false };
  const heard = [...excluded, answer.broker];
  const second = await ask(symbol, { count: size, known: true, exclude: heard }, deps, ledger);
  if (!second.ok) return { ...second, message: `${symbol}: no second mirror could confirm ${answer.broker}'s history: ${second.message}` };
  const secondSays = compareWindow(answer.bars, second.bars, size);
  if (secondSays === 'agree') return { ...answer, revised: false, confirmed: true };
  // The first mirror is a session behind one that agrees with it: take the newer history.
  if (secondSays === 'ahead') return refetchAgreed(symbol, second.bars, [answer.broker], false, deps, ledger);
  const third = await ask(symbol, { count: size, known: true, exclude: [...heard, second.broker] }, deps, ledger);
  const thirdSays = third.ok ? compareWindow(answer.bars, third.bars, size) : 'differs';
  if (secondSays === 'lags') {
    // The second agrees on every day it has: a third that contradicts both is the odd one.
    if (third.ok && thirdSays === 'differs') charge(ledger, [third.broker]);
    return { ...answer, revised: false, confirmed: true };
  }
  if (thirdSays !== 'differs') {
    charge(ledger, [second.broker]);
    if (thirdSays === 'ahead' && third.ok) return refetchAgreed(symbol, third.bars, [answer.broker, second.broker], false, deps, ledger);
    return { ...answer, revised: false, confirmed: true };
  }
  const pair = third.ok ? compareWindow(second.bars, third.bars, size) : 'differs';
  if (third.ok && pair !== 'differs') {
    // The second and the third agree (one perhaps a session behind): the first is the odd one.
    charge(ledger, [answer.broker]);
    return refetchAgreed(symbol, pair === 'ahead' ? third.bars : second.bars, [answer.broker], false, deps, ledger);
  }
  const mirrors = [answer.broker, second.broker, ...(third.ok ? [third.broker] : [])].join(', ');
  return { ok: false, code: 'E_MIRRORS_DISAGREE', message: `${symbol}: ${mirrors} sent different bars for the same days and no two agreed` };
}

/**
 * The whole history again, from a mirror not in `shunned`, held to the window two mirrors
 * agreed on: it must carry those days and values. One that does not is charged a
 * `disagreement` and skipped; one that has not yet got the window's newest day is late,
 * skipped uncharged. Each round skips one mirror more, so the fetch runs out of mirrors
 * rather than looping.
 */
export async function refetchAgreed(
  symbol: string,
  agreed: readonly DailyBar[],
  shunned: readonly string[],
  revised: boolean,
  deps: ConfirmDeps,
  ledger: Ledger,
): Promise<Settled> {
  const skipped = [...shunned];
  for (;;) {
    const full = await ask(symbol, { count: deps.fullCount, known: true, exclude: [...skipped] }, deps, ledger);
    if (!full.ok) return full;
    const says = compareWindow(full.bars, agreed, agreed.length);
    if (says === 'agree' || says === 'lags') return { ...full, revised, confirmed: true };
    if (says === 'differs') charge(ledger, [full.broker]);
    skipped.push(full.broker);
  }
}
