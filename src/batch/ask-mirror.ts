import type { DailyBar } from '../core/daily-bar.js';
import type { DailySeries } from '../core/daily-series.js';
import type { MirrorFault } from '../mirrors/fault-kind.js';
import type { Attempt, FetchFailureCode, FetchOutcome } from '../mirrors/fetch-symbol.js';
import { validateBars, type RejectedBar, type ValidationResult } from '../validate/validate-bars.js';

/** Fetch options of one request: how many bars, whether an empty answer is suspect, whom not to ask. */
export interface BatchFetchRequest {
  count: number;
  /** The symbol has stored history: an empty answer is a mirror fault, not "no data". */
  known: boolean;
  /** Mirror names not to ask: already heard on this question, or found at fault. */
  exclude?: readonly string[] | undefined;
}

/** What asking the mirrors about one symbol needs. */
export interface AskDeps {
  fetch: (symbol: string, request: BatchFetchRequest) => Promise<FetchOutcome<DailySeries>>;
  /** Today in the trading calendar's zone, for validation. */
  today: string;
}

/** Codes a symbol can fail with before anything is written. */
export type TrustedFailureCode = FetchFailureCode | 'E_MIRRORS_DISAGREE';

/** One mirror's validated answer, or why no mirror gave one. */
export type Answer =
  | { ok: true; broker: string; bars: DailyBar[]; rejected: RejectedBar[]; validation: ValidationResult['counts'] }
  | { ok: false; code: TrustedFailureCode; message: string };

/** Requests made for one symbol, and the faults found by comparing their answers. */
export interface Ledger {
  attempts: Attempt[];
  judged: MirrorFault[];
}

/** Asks the mirrors once (with failover) and validates what came back; every attempt goes on the ledger. */
export async function ask(symbol: string, request: BatchFetchRequest, deps: AskDeps, ledger: Ledger): Promise<Answer> {
  const outcome = await deps.fetch(symbol, request);
  ledger.attempts.push(...outcome.attempts);
  if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
  const validation = validateBars(symbol, outcome.value, { today: deps.today });
  return { ok: true, broker: outcome.broker, bars: validation.accepted, rejected: validation.rejected, validation: validation.counts };
}

/** Charges each of `brokers` a disagreement: bars differing from what other mirrors confirmed. */
export function charge(ledger: Ledger, brokers: readonly string[]): void {
  for (const broker of brokers) ledger.judged.push({ broker, kind: 'disagreement' });
}
