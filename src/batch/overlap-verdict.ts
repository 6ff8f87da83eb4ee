import type { DailyBar } from '../core/daily-bar.js';
import { compareOverlap } from './overlap.js';

/** Mirrors asked for one incremental window before a symbol is given up as unresolved. */
export const MAX_OPINIONS = 3;

/** One mirror's answer for a symbol's incremental window (validated bars, oldest first). */
export interface Opinion {
  broker: string;
  bars: readonly DailyBar[];
}

/**
 * - `holds`: `opinions[source]` agrees with the stored bars: store its window. Mirrors in
 *   `faulty` sent other values for the same days (a disagreement each).
 * - `revised`: two mirrors agree with each other, not with the stored bars: history really
 *   changed; `opinions[source]` holds the agreed values. `faulty` disagreed with that pair.
 * - `no_overlap`: the first answer shares no day with the stored bars, so there is nothing
 *   to compare: the whole history is fetched again.
 * - `ask`: no conclusion yet: ask one more mirror, none of `exclude`.
 * - `unresolved`: {@link MAX_OPINIONS} mirrors were heard and no two agreed (nor did any
 *   with the stored bars): nothing can be trusted, nothing is written.
 */
export type OverlapVerdict =
  | { kind: 'holds'; source: number; faulty: string[] }
  | { kind: 'revised'; source: number; faulty: string[] }
  | { kind: 'no_overlap' }
  | { kind: 'ask'; exclude: string[] }
  | { kind: 'unresolved' };

/**
 * Decides what a symbol's incremental window means, given the opinions heard so far (the
 * first one is the usual fetch). The stored bars were themselves checked when written, so
 * one mirror agreeing with them settles it; a change of history needs two mirrors agreeing
 * on the new values, because a single mirror serving different numbers is far likelier to
 * be broken (shifted dates, a wrong series) than to have seen an ex-dividend adjustment the
 * others missed. Pure; see {@link compareOverlap} for what "agree" means.
 */
export function judgeOverlap(stored: readonly DailyBar[], opinions: readonly Opinion[], maxOpinions = MAX_OPINIONS): OverlapVerdict {
  const heard = opinions.map((opinion) => opinion.broker);
  if (opinions.length === 0) return { kind: 'ask', exclude: [] };
  const versusStored = opinions.map((opinion) => compareOverlap(stored, opinion.bars).kind);
  if (opinions.length === 1 && versusStored[0] === 'no_overlap') return { kind: 'no_overlap' };

  const differs = (i: number): boolean => versusStored[i] === 'revised';
  const holding = versusStored.indexOf('match');
  if (holding >= 0) {
    return { kind: 'holds', source: holding, faulty: heard.filter((_, i) => differs(i)) };
  }
  for (let i = 0; i < opinions.length; i += 1) {
    if (!differs(i)) continue;
    const agrees = (j: number): boolean => compareOverlap(opinions[i]!.bars, opinions[j]!.bars).kind === 'match';
    const partner = opinions.findIndex((_, j) => j !== i && differs(j) && agrees(j));
    if (partner < 0) continue;
    const faulty = heard.filter((_, j) => differs(j) && !agrees(j) && j !== i);
    return { kind: 'revised', source: i, faulty };
  }
  if (opinions.length < maxOpinions) return { kind: 'ask', exclude: heard };
  return { kind: 'unresolved' };
}
