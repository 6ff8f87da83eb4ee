import type { CompletenessReader } from '../db/quality/completeness-reader.js';
import { closedDaysWithBars, findMarketDays, judgeSymbols, missingDays } from './completeness.js';
import { MAX_EXAMPLES } from './max-examples.js';

/** A missing bar: the symbol lacks this open day inside its stored span. */
export interface GapExample {
  stock_code: string;
  trade_date: string;
}

/** The `completeness` part of the verify document. */
export interface CompletenessReport {
  /** Symbols judged. */
  symbols: number;
  /** Symbols whose newest bar is on or after `last_session`. */
  up_to_date: number;
  /** Symbols whose newest bar is older than `last_session`, or that have none; in the order judged. */
  lagging: string[];
  gaps: {
    /** Symbols with at least one missing open day inside their stored span. */
    symbols: number;
    /** Missing (symbol, day) pairs in all. */
    days: number;
    /** The first {@link MAX_EXAMPLES}, by symbol (in the order judged), then date. */
    examples: GapExample[];
  };
  /** Days the market was closed by the store's evidence (not listed as holidays), oldest first. */
  closures: string[];
  /** The session the symbols are judged against: the latest trading day ≤ the last closed session. */
  last_session: string;
}

/** What {@link checkCompleteness} looks at. */
export interface CompletenessInput {
  /** The symbols to judge, in report order. */
  symbols: readonly string[];
  /**
   * The symbols whose bars are the evidence of closures: the active universe. Closures are a
   * property of the market, so a check limited to a few symbols still tells a closure from
   * a gap. The judged symbols are always part of it.
   */
  evidence: readonly string[];
  /** Holidays, 'YYYY-MM-DD'; empty = weekdays only. */
  holidays: ReadonlySet<string>;
  /** The last closed session, 'YYYY-MM-DD'. */
  lastSession: string;
  closureShare?: number | undefined;
  closureMinSymbols?: number | undefined;
}

/** The report, and which symbols of the evidence and the judged ones have any stored bar. */
export interface CompletenessOutcome {
  report: CompletenessReport;
  withBars: ReadonlySet<string>;
}

// Symbols whose stored days are read per statement when listing examples.
const EXAMPLE_CHUNK = 25;

/**
 * Completeness from the database alone: one grouped scan of the evidence symbols' bars,
 * then the closures, lagging symbols and gap counts decided in memory, then — only for the
 * first symbols with gaps — their stored days, to name up to 100 missing (symbol, day)
 * pairs. Bars stored on days that are not open (weekend-dated, holidays, closures) cost
 * one more indexed query, only when there are any.
 */
export async function checkCompleteness(reader: CompletenessReader, input: CompletenessInput): Promise<CompletenessOutcome> {
  const universe = [...new Set([...input.evidence, ...input.symbols])];
  const coverage = await reader.coverage(universe);
  const market = findMarketDays(coverage.spans.values(), coverage.barsPerDay, {
    holidays: input.holidays,
    lastSession: input.lastSession,
    closureShare: input.closureShare,
    closureMinSymbols: input.closureMinSymbols,
  });
  const closedDays = closedDaysWithBars(coverage.barsPerDay, market);
  const closedBars =
    closedDays.length === 0
      ? new Map<string, number>()
      : await reader.barsOnDays(input.symbols.filter((symbol) => coverage.spans.has(symbol)), closedDays);
  const judged = judgeSymbols(input.symbols, coverage.spans, market, closedBars);

  const withGaps = judged.filter((symbol) => symbol.missing > 0);
  const examples: GapExample[] = [];
  for (let start = 0; start < withGaps.length && examples.length < MAX_EXAMPLES; start += EXAMPLE_CHUNK) {
    const chunk = withGaps.slice(start, start + EXAMPLE_CHUNK).map((symbol) => symbol.stock_code);
    const stored = await reader.storedDays(chunk);
    for (const stock_code of chunk) {
      const span = coverage.spans.get(stock_code)!;
      const days = missingDays(stored.get(stock_code) ?? [], span.first, span.last, market, MAX_EXAMPLES - examples.length);
      for (const trade_date of days) examples.push({ stock_code, trade_date });
      if (examples.length >= MAX_EXAMPLES) break;
    }
  }

  const report: CompletenessReport = {
    symbols: judged.length,
    up_to_date: judged.filter((symbol) => symbol.upToDate).length,
    lagging: judged.filter((symbol) => !symbol.upToDate).map((symbol) => symbol.stock_code),
    gaps: {
      symbols: withGaps.length,
      days: withGaps.reduce((sum, symbol) => sum + symbol.missing, 0),
      examples,
    },
    closures: market.closures,
    last_session: market.lastSession,
  };
  return { report, withBars: new Set(coverage.spans.keys()) };
}

/** Whether completeness passes: no gaps and no lagging symbol. */
export function completenessPasses(report: CompletenessReport): boolean {
  return report.gaps.days === 0 && report.lagging.length === 0;
}
