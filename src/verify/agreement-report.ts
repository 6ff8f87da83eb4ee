import { valuesOf, type BarValues } from './bar-values.js';
import { BAR_CLASSES, type BarClass, type ClassifiedBar } from './classify-window.js';
import { MAX_EXAMPLES } from './max-examples.js';
import { meetsPercent, percent } from './percent.js';

/** How one symbol's check ended. */
export type SymbolCheck =
  | {
      status: 'checked';
      stock_code: string;
      bars: ClassifiedBar[];
      /** Whether the two first mirrors left a day unsettled and a third was asked. */
      thirdAsked: boolean;
      /** Days written by the repair. */
      repaired: ReadonlySet<string>;
      /** The symbol classified again after its repair; undefined when nothing was written. */
      recheck?: ClassifiedBar[] | undefined;
      /** The repair's write failed: the symbol was compared, not repaired. */
      repairError?: { code: string; message: string } | undefined;
    }
  | { status: 'failed'; stock_code: string; code: string; message: string }
  /** No stored bar to compare: completeness lists it as lagging. */
  | { status: 'skipped'; stock_code: string };

/** Bars by class, and agree / compared in percent. */
export type AgreementCounts = { bars_compared: number } & Record<BarClass, number> & { pct: number };

/** One compared bar that did not agree, with every source's values. */
export interface AgreementExample {
  stock_code: string;
  trade_date: string;
  class: BarClass;
  stored: BarValues | null;
  /** Each mirror heard: its values (null: no bar), and whether its answer reached the day at all. */
  mirrors: Array<{ broker: string; reached: boolean; values: BarValues | null }>;
  /** The repair wrote the mirrors' values for this day. */
  repaired: boolean;
}

/** The `agreement` part of the verify document. */
export interface AgreementReport extends AgreementCounts {
  /** Symbols compared. */
  symbols: number;
  /** Bars written by `--repair`. */
  repaired: number;
  examples: AgreementExample[];
  /** Symbols that could not be compared (fewer than two mirrors answered, or the repair failed). */
  failed: number;
  failures: Array<{ stock_code: string; code: string; message: string }>;
  /** Symbols without a stored bar, not compared. */
  skipped: number;
  /** Symbols for which a third mirror was asked, because the first two did not settle a day. */
  third_mirror: number;
  /** The counts once the repaired symbols were classified again; null without a repair. */
  after_repair: AgreementCounts | null;
}

/** Sums the symbols' checks, in the order given (the examples follow it). */
export function agreementReport(checks: readonly SymbolCheck[]): AgreementReport {
  const found = emptyCounts();
  const after = emptyCounts();
  let symbols = 0;
  let repaired = 0;
  let third = 0;
  let anyRecheck = false;
  const examples: AgreementExample[] = [];
  const failures: AgreementReport['failures'] = [];
  let failed = 0;
  let skipped = 0;
  for (const check of checks) {
    if (check.status === 'skipped') {
      skipped += 1;
      continue;
    }
    if (check.status === 'failed') {
      failed += 1;
      if (failures.length < MAX_EXAMPLES) failures.push({ stock_code: check.stock_code, code: check.code, message: check.message });
      continue;
    }
    symbols += 1;
    if (check.repairError !== undefined) {
      failed += 1;
      if (failures.length < MAX_EXAMPLES) failures.push({ stock_code: check.stock_code, ...check.repairError });
    }
    if (check.thirdAsked) third += 1;
    repaired += check.repaired.size;
    add(found, check.bars);
    add(after, check.recheck ?? check.bars);
    if (check.recheck !== undefined) anyRecheck = true;
    for (const bar of check.bars) {
      if (bar.verdict === 'agree' || examples.length >= MAX_EXAMPLES) continue;
      examples.push(example(check.stock_code, bar, check.repaired.has(bar.trade_date)));
    }
  }
  return {
    symbols,
    ...withPct(found),
    repaired,
    examples,
    failed,
    failures,
    skipped,
    third_mirror: third,
    after_repair: anyRecheck ? withPct(after) : null,
  };
}

/**
 * Whether the mirrors confirm the store: every chosen symbol compared, and agree / compared
 * at least `minPct` percent — after the repair, when one was made.
 */
export function agreementPasses(report: AgreementReport, minPct: number): boolean {
  const final = report.after_repair ?? report;
  return report.failed === 0 && meetsPercent(final.agree, final.bars_compared, minPct);
}

type Tally = { bars_compared: number } & Record<BarClass, number>;

function emptyCounts(): Tally {
  return { bars_compared: 0, ...(Object.fromEntries(BAR_CLASSES.map((name) => [name, 0])) as Record<BarClass, number>) };
}

function add(tally: Tally, bars: readonly ClassifiedBar[]): void {
  for (const bar of bars) {
    tally.bars_compared += 1;
    tally[bar.verdict] += 1;
  }
}

function withPct(tally: Tally): AgreementCounts {
  return { ...tally, pct: percent(tally.agree, tally.bars_compared) };
}

function example(stock_code: string, bar: ClassifiedBar, repaired: boolean): AgreementExample {
  return {
    stock_code,
    trade_date: bar.trade_date,
    class: bar.verdict,
    stored: bar.stored === null ? null : valuesOf(bar.stored),
    mirrors: bar.mirrors.map((view) => ({ broker: view.broker, reached: view.reached, values: view.bar === null ? null : valuesOf(view.bar) })),
    repaired,
  };
}
