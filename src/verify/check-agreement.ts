import type { DailyBar } from '../core/daily-bar.js';
import { runPool } from '../task-pool.js';
import { CrawlerError } from '../errors.js';
import type { Logger } from '../logger.js';
import { agreementReport, type AgreementReport, type SymbolCheck } from './agreement-report.js';
import { classifyWindow, type ClassifiedBar, type MirrorWindow } from './classify-window.js';
import { weekdaysFromTo } from './trading-days.js';

/** One mirror's answer for a symbol's window, or why no mirror gave one. */
export type WindowAnswer = { ok: true; broker: string; bars: DailyBar[] } | { ok: false; code: string; message: string };

/**
 * Fetches a symbol's newest `count` bars (validated, oldest first) from one mirror, through
 * the polite pool with failover, from none of the `exclude`d mirrors.
 */
export type FetchWindow = (symbol: string, count: number, exclude: string[]) => Promise<WindowAnswer>;

/** What a repair writes for one symbol, in one transaction: the bars and the mirror named as their source. */
export interface RepairGroup {
  symbol: string;
  bars: DailyBar[];
  source: string;
}

/** Writes one symbol's repaired bars atomically (insert or update; never a delete). */
export type RepairWriter = (group: RepairGroup) => Promise<unknown>;

/** What {@link checkAgreement} needs. */
export interface AgreementInput {
  symbols: readonly string[];
  /** The newest `perSymbol` stored bars per symbol, oldest first (DailyBarsRepository.recentBars). */
  recentBars(symbols: readonly string[], perSymbol: number): Promise<Map<string, DailyBar[]>>;
  fetchWindow: FetchWindow;
  /** Given: bars two mirrors agree on and the store lacks or holds otherwise are written. */
  repair?: RepairWriter | undefined;
  /** Newest stored bars compared per symbol (K). */
  bars: number;
  /** Symbols checked at once (the mirror pool keeps its own limits). */
  concurrency: number;
  /** The last closed session, 'YYYY-MM-DD': how far the mirrors' answers must reach. */
  lastSession: string;
  signal?: AbortSignal | undefined;
  logger: Logger;
}

// Bars asked beyond the weekdays of the window: a weekend-dated bar, today's bar before the session is counted closed.
const WINDOW_SLACK = 3;

/**
 * Compares each symbol's newest `bars` stored bars with two mirrors (a third when those two
 * do not settle a day; see classifyWindow), repairs what two mirrors agree on when a
 * writer is given, and re-checks the repaired symbols against the same answers. A symbol
 * fails alone (fewer than two mirrors answered, or its write failed); the database going
 * away, or every mirror down, stops the check (thrown).
 */
export async function checkAgreement(input: AgreementInput): Promise<AgreementReport> {
  const stored = await input.recentBars(input.symbols, input.bars);
  const checks: SymbolCheck[] = new Array(input.symbols.length);
  const indexes = input.symbols.map((_, index) => index);
  await runPool(
    indexes,
    input.concurrency,
    async (index) => {
      const symbol = input.symbols[index]!;
      checks[index] = await checkSymbol(symbol, stored.get(symbol) ?? [], input);
    },
    () => input.signal?.aborted === true,
  );
  return agreementReport(checks.filter((check) => check !== undefined));
}

/** The djbcd `c` that makes a mirror's answer reach back to the oldest compared bar. */
export function windowCount(stored: readonly DailyBar[], lastSession: string): number {
  const oldest = stored[0]!.trade_date;
  const newest = stored.at(-1)!.trade_date;
  return weekdaysFromTo(oldest, newest > lastSession ? newest : lastSession) + WINDOW_SLACK;
}

async function checkSymbol(symbol: string, stored: DailyBar[], input: AgreementInput): Promise<SymbolCheck> {
  if (stored.length === 0) return { status: 'skipped', stock_code: symbol };
  const count = windowCount(stored, input.lastSession);
  const first = await input.fetchWindow(symbol, count, []);
  if (!first.ok) return { status: 'failed', stock_code: symbol, code: first.code, message: first.message };
  const second = await input.fetchWindow(symbol, count, [first.broker]);
  if (!second.ok) {
    return { status: 'failed', stock_code: symbol, code: second.code, message: `only ${first.broker} answered: ${second.message}` };
  }
  if (second.broker === first.broker) {
    throw new CrawlerError('E_INTERNAL', `fetchWindow asked ${first.broker} again though it was excluded`);
  }
  const windows: MirrorWindow[] = [first, second];
  let verdict = classifyWindow(stored, windows, { canAsk: true });
  const thirdAsked = verdict.kind === 'ask';
  if (verdict.kind === 'ask') {
    const third = await input.fetchWindow(symbol, count, verdict.exclude);
    if (third.ok && !verdict.exclude.includes(third.broker)) windows.push(third);
    else input.logger.debug({ symbol, code: third.ok ? 'E_INTERNAL' : third.code }, 'no third mirror answered; deciding on two');
    verdict = classifyWindow(stored, windows, { canAsk: false });
  }
  const bars = verdict.kind === 'classified' ? verdict.bars : [];
  const fixes = bars.filter((bar) => bar.fix !== null);
  if (input.repair === undefined || fixes.length === 0) return { status: 'checked', stock_code: symbol, bars, thirdAsked, repaired: new Set() };

  const group: RepairGroup = { symbol, bars: fixes.map((bar) => ({ ...bar.fix!.bar, stock_code: symbol })), source: repairSource(fixes) };
  try {
    await input.repair(group);
  } catch (error) {
    if (!(error instanceof CrawlerError) || error.code !== 'E_DB_WRITE') throw error;
    input.logger.warn({ symbol, code: error.code, err: error }, 'the repair of a symbol could not be written');
    return { status: 'checked', stock_code: symbol, bars, thirdAsked, repaired: new Set(), repairError: { code: error.code, message: error.message } };
  }
  input.logger.info({ symbol, bars: group.bars.length, source: group.source }, 'repaired stored bars the mirrors agree on');
  // Filled holes push the oldest compared bars out of the newest K: read as many more.
  const filled = fixes.filter((bar) => bar.stored === null).length;
  const reread = (await input.recentBars([symbol], input.bars + filled)).get(symbol) ?? [];
  const again = classifyWindow(reread, windows, { canAsk: false });
  return {
    status: 'checked',
    stock_code: symbol,
    bars,
    thirdAsked,
    repaired: new Set(fixes.map((bar) => bar.trade_date)),
    recheck: again.kind === 'classified' ? again.bars : [],
  };
}

/** The mirror named as data_source of a repair: the one in most of the agreeing pairs (the first heard on a tie). */
function repairSource(fixes: readonly ClassifiedBar[]): string {
  const votes = new Map<string, number>();
  for (const bar of fixes) for (const broker of bar.fix!.brokers) votes.set(broker, (votes.get(broker) ?? 0) + 1);
  let best = fixes[0]!.fix!.brokers[0]!;
  for (const [broker, count] of votes) if (count > votes.get(best)!) best = broker;
  return best;
}
