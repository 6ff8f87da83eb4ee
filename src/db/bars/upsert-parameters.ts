import { CrawlerError } from '../../errors.js';
import type { DailyBar } from '../../core/daily-bar.js';
import { toPgArrayLiteral } from '../connection/pg-array.js';
import { packedValue, type PackedBars } from './packed-bars.js';

export type { SymbolBars } from './packed-bars.js';
import { ROW_VOCABULARIES, type RowVocabulary } from './row-vocabulary.js';
import { VALUE_COLUMNS } from './upsert-bars-sql.js';


const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Bars with each (stock_code, trade_date) once, the last one winning, in first-seen order. */
export function dedupeBars(bars: readonly DailyBar[]): readonly DailyBar[] {
  // The validator's output, one symbol's bars in strictly rising date order, needs no
  // map: a backfill would otherwise build a key string for each of millions of bars.
  if (isStrictlyRising(bars)) return bars;
  return [...new Map(bars.map((bar) => [`${bar.stock_code}\u0000${bar.trade_date}`, bar])).values()];
}

function isStrictlyRising(bars: readonly DailyBar[]): boolean {
  for (let i = 1; i < bars.length; i += 1) {
    const previous = bars[i - 1] as DailyBar;
    const current = bars[i] as DailyBar;
    if (current.stock_code !== previous.stock_code || current.trade_date <= previous.trade_date) return false;
  }
  return true;
}

/**
 * Refuses bars no statement should see: a malformed day, a non-finite value, or (with
 * `symbol`) a bar of another symbol. Validation keeps these out; one slipping through is
 * a bug, not a value to store as NULL.
 * @throws CrawlerError E_INTERNAL
 */
export function checkBars(bars: readonly DailyBar[], symbol?: string): void {
  for (const bar of bars) {
    if (symbol !== undefined && bar.stock_code !== symbol) throw internal(bar, `stock_code (expected ${symbol})`);
    if (!DAY.test(bar.trade_date)) throw internal(bar, `trade_date ${JSON.stringify(bar.trade_date)}`);
    // Written out rather than looped over VALUE_COLUMNS: this runs for every bar of a backfill.
    const finite = Number.isFinite;
    if (!(finite(bar.open_price) && finite(bar.high_price) && finite(bar.low_price) && finite(bar.close_price) && finite(bar.volume))) {
      const column = VALUE_COLUMNS.find((name) => !finite(bar[name])) as (typeof VALUE_COLUMNS)[number];
      throw internal(bar, `${column} ${bar[column]}`);
    }
  }
}

/**
 * The upsert statement's nine parameters (see buildUpsertSql), each an array literal, for
 * packed symbols in order; data_source and data_quality in `vocabulary`'s words.
 */
export function packedUpsertParameters(groups: readonly PackedBars[], vocabulary: RowVocabulary = ROW_VOCABULARIES.crawler): string[] {
  const codes: string[] = [];
  const days: string[] = [];
  const quality: string[] = [];
  const sources: string[] = [];
  const columns: number[][] = VALUE_COLUMNS.map(() => []);
  const [weekday, weekend] = [vocabulary.quality(false), vocabulary.quality(true)];
  for (const group of groups) {
    const source = vocabulary.source(group.source);
    for (let i = 0; i < group.count; i += 1) {
      codes.push(group.symbol);
      days.push(group.days[i] as string);
      quality.push(group.weekend[i] === 1 ? weekend : weekday);
      sources.push(source);
      for (let c = 0; c < columns.length; c += 1) (columns[c] as number[]).push(packedValue(group, c, i));
    }
  }
  return [codes, days, ...columns, quality, sources].map((values) => toPgArrayLiteral(values));
}

function internal(bar: DailyBar, what: string): CrawlerError {
  return new CrawlerError('E_INTERNAL', `refusing to store ${bar.stock_code}@${bar.trade_date}: invalid ${what}`);
}
