import type { DailyBar } from '../core/daily-bar.js';
import { sameValues } from './bar-values.js';

/** What one compared bar turned out to be. */
export type BarClass = 'agree' | 'store_differs' | 'mirrors_disagree' | 'missing_in_store' | 'missing_on_mirrors';

/** Every class, in report order. */
export const BAR_CLASSES: readonly BarClass[] = ['agree', 'store_differs', 'mirrors_disagree', 'missing_in_store', 'missing_on_mirrors'];

/** Mirrors heard for one symbol at most: two, and a third when those two cannot settle a day. */
export const MAX_MIRRORS = 3;

/** One mirror's answer for a symbol (validated bars; it may hold more days than asked). */
export interface MirrorWindow {
  broker: string;
  bars: readonly DailyBar[];
}

/** A mirror's word on one day. */
export interface MirrorView {
  broker: string;
  /** The day lies within the mirror's answer (its oldest to its newest bar); if not, its silence says nothing. */
  reached: boolean;
  /** Its bar for the day, or null. */
  bar: DailyBar | null;
}

/** One compared day. */
export interface ClassifiedBar {
  trade_date: string;
  verdict: BarClass;
  stored: DailyBar | null;
  mirrors: MirrorView[];
  /** Two mirrors agreeing on a bar the store lacks or holds otherwise: what a repair writes, and whose word it is. */
  fix: { bar: DailyBar; brokers: string[] } | null;
}

/** `ask`: a day cannot be settled by the mirrors heard; ask one more, none of `exclude`. */
export type WindowVerdict = { kind: 'ask'; exclude: string[] } | { kind: 'classified'; bars: ClassifiedBar[] };

/**
 * Classifies a symbol's newest stored bars against the same days from the mirrors.
 *
 * The days compared are the stored ones and those the mirrors have between the oldest and
 * the newest stored bar (a hole in the store). Days before or after are not compared: the
 * mirrors send more than asked, and a store that is behind is the completeness check's
 * finding, not this one's.
 *
 * A mirror speaks only for days it has reached — from its oldest to its newest bar. A
 * mirror that lags a session has not reached the newest day, so it is not counted as
 * lacking it; the mirrors that reached the day decide. Per day:
 * - two reached mirrors with the same values (prices within 0.01, volume equal) are the
 *   consensus: the stored bar is `agree` when it matches, `store_differs` when not,
 *   `missing_in_store` when absent (the last two are repairable with the consensus bar);
 * - two reached mirrors both lacking the day: a stored bar is `missing_on_mirrors` (no
 *   stored bar: not a day at all, not compared);
 * - otherwise — the two disagree, or one lags — one more mirror is asked (`canAsk`), and
 *   the day is decided again on every mirror heard;
 * - with no consensus and no mirror left to ask: a stored bar matching some reached mirror
 *   is `agree` (the store and the current mirror agree; a lagging mirror has no say), one
 *   no mirror reached is `missing_on_mirrors`, anything else is `mirrors_disagree` and is
 *   never repaired.
 */
export function classifyWindow(stored: readonly DailyBar[], windows: readonly MirrorWindow[], options: { canAsk: boolean }): WindowVerdict {
  if (stored.length === 0) return { kind: 'classified', bars: [] };
  const storedByDay = new Map(stored.map((bar) => [bar.trade_date, bar]));
  const from = stored.reduce((min, bar) => (bar.trade_date < min ? bar.trade_date : min), stored[0]!.trade_date);
  const to = stored.reduce((max, bar) => (bar.trade_date > max ? bar.trade_date : max), stored[0]!.trade_date);
  const mirrors = windows.map(indexWindow);
  const days = new Set(storedByDay.keys());
  for (const mirror of mirrors) for (const day of mirror.byDay.keys()) if (day >= from && day <= to) days.add(day);

  const judged: Array<{ day: string; views: MirrorView[]; consensus: Consensus | undefined }> = [];
  for (const day of [...days].sort()) {
    const views = mirrors.map((mirror) => ({
      broker: mirror.broker,
      reached: mirror.oldest !== undefined && day >= mirror.oldest && day <= mirror.newest!,
      bar: mirror.byDay.get(day) ?? null,
    }));
    const consensus = consensusOf(views.filter((view) => view.reached));
    const storedBar = storedByDay.get(day) ?? null;
    const unsettled = consensus === undefined && (storedBar !== null || views.some((view) => view.reached && view.bar !== null));
    if (unsettled && options.canAsk && windows.length < MAX_MIRRORS) {
      return { kind: 'ask', exclude: windows.map((window) => window.broker) };
    }
    judged.push({ day, views, consensus });
  }

  const bars: ClassifiedBar[] = [];
  for (const { day, views, consensus } of judged) {
    const storedBar = storedByDay.get(day) ?? null;
    const verdict = decide(storedBar, views, consensus);
    if (verdict === undefined) continue;
    const repairable = (verdict === 'store_differs' || verdict === 'missing_in_store') && consensus?.bar != null;
    bars.push({
      trade_date: day,
      verdict,
      stored: storedBar,
      mirrors: views,
      fix: repairable ? { bar: consensus!.bar!, brokers: consensus!.brokers } : null,
    });
  }
  return { kind: 'classified', bars };
}

/** Two or more reached mirrors saying the same: the same bar, or both no bar (`bar` null). */
interface Consensus {
  bar: DailyBar | null;
  brokers: string[];
}

function consensusOf(reached: readonly MirrorView[]): Consensus | undefined {
  const absent = reached.filter((view) => view.bar === null);
  if (absent.length >= 2) return { bar: null, brokers: absent.map((view) => view.broker) };
  for (let i = 0; i < reached.length; i += 1) {
    const bar = reached[i]!.bar;
    if (bar === null) continue;
    const same = reached.filter((view) => view.bar !== null && sameValues(view.bar, bar));
    if (same.length >= 2) return { bar, brokers: same.map((view) => view.broker) };
  }
  return undefined;
}

/** The class of one day; undefined when there is nothing to compare (no bar anywhere that counts). */
function decide(stored: DailyBar | null, views: readonly MirrorView[], consensus: Consensus | undefined): BarClass | undefined {
  if (consensus !== undefined) {
    if (consensus.bar === null) return stored === null ? undefined : 'missing_on_mirrors';
    if (stored === null) return 'missing_in_store';
    return sameValues(stored, consensus.bar) ? 'agree' : 'store_differs';
  }
  const reached = views.filter((view) => view.reached);
  if (stored === null) return reached.some((view) => view.bar !== null) ? 'mirrors_disagree' : undefined;
  if (reached.some((view) => view.bar !== null && sameValues(view.bar, stored))) return 'agree';
  if (reached.length === 0) return 'missing_on_mirrors';
  return 'mirrors_disagree';
}

interface IndexedWindow {
  broker: string;
  byDay: Map<string, DailyBar>;
  oldest: string | undefined;
  newest: string | undefined;
}

function indexWindow(window: MirrorWindow): IndexedWindow {
  const byDay = new Map<string, DailyBar>();
  let oldest: string | undefined;
  let newest: string | undefined;
  for (const bar of window.bars) {
    byDay.set(bar.trade_date, bar);
    if (oldest === undefined || bar.trade_date < oldest) oldest = bar.trade_date;
    if (newest === undefined || bar.trade_date > newest) newest = bar.trade_date;
  }
  return { broker: window.broker, byDay, oldest, newest };
}
