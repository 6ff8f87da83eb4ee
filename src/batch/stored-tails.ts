import type { DailyBar } from '../core/daily-bar.js';
import { dayNumber, formatDay } from '../core/day-number.js';

/*
 * What a batch needs to know of the store comes from one read of each symbol's last few
 * bars: the newest of them is the symbol's newest stored day (the plan), the rest the
 * overlap the incremental fetch is checked against. A nightly run holds them for every
 * symbol from start to end, so they are kept packed in typed arrays — about 50 bytes a bar
 * instead of some 300 as an object with its own date string — and become DailyBars only
 * for the symbol being crawled.
 */

/** open, high, low, close, volume */
const VALUES = 5;

/** Each symbol's newest stored bars (at most `perSymbol`, oldest first), packed. */
export class StoredTails {
  readonly #perSymbol: number;
  /** Symbol → its row; row r holds slots r × perSymbol onwards. */
  readonly #rows = new Map<string, number>();
  readonly #counts: Uint8Array;
  /** Trading days as day numbers (core/day-number). */
  readonly #days: Int32Array;
  readonly #values: Float64Array;
  readonly #weekend: Uint8Array;

  /** Room for `capacity` symbols of `perSymbol` bars each (perSymbol ≤ 255). */
  constructor(capacity: number, perSymbol: number) {
    this.#perSymbol = Math.max(0, Math.min(255, Math.floor(perSymbol)));
    const slots = capacity * this.#perSymbol;
    this.#counts = new Uint8Array(capacity);
    this.#days = new Int32Array(slots);
    this.#values = new Float64Array(slots * VALUES);
    this.#weekend = new Uint8Array(slots);
  }

  /** Keeps the newest `perSymbol` of `bars` (oldest first); a symbol already held, or no bars, changes nothing. */
  add(symbol: string, bars: readonly DailyBar[]): void {
    if (bars.length === 0 || this.#perSymbol === 0 || this.#rows.has(symbol)) return;
    const row = this.#rows.size;
    if (row >= this.#counts.length) throw new RangeError(`StoredTails holds ${this.#counts.length} symbols`);
    this.#rows.set(symbol, row);
    const kept = bars.slice(-this.#perSymbol);
    this.#counts[row] = kept.length;
    kept.forEach((bar, index) => {
      const slot = row * this.#perSymbol + index;
      this.#days[slot] = dayNumber(bar.trade_date);
      this.#values.set([bar.open_price, bar.high_price, bar.low_price, bar.close_price, bar.volume], slot * VALUES);
      this.#weekend[slot] = bar.data_quality === 'weekend' ? 1 : 0;
    });
  }

  /** How many symbols have stored bars. */
  get size(): number {
    return this.#rows.size;
  }

  /** Each symbol's newest stored trading day; symbols without bars are absent. */
  newestDays(): Map<string, string> {
    const days = new Map<string, string>();
    // Most symbols share their newest day: one string for each distinct day.
    const texts = new Map<number, string>();
    for (const [symbol, row] of this.#rows) {
      const day = this.#days[row * this.#perSymbol + this.#counts[row]! - 1]!;
      let text = texts.get(day);
      if (text === undefined) texts.set(day, (text = formatDay(day)));
      days.set(symbol, text);
    }
    return days;
  }

  /** The newest `perSymbol` bars of each symbol asked for, oldest first; symbols without any are absent. */
  lastBars(symbols: readonly string[], perSymbol: number): Map<string, DailyBar[]> {
    const picked = new Map<string, DailyBar[]>();
    if (perSymbol <= 0) return picked;
    for (const symbol of symbols) {
      const row = this.#rows.get(symbol);
      if (row === undefined) continue;
      const count = this.#counts[row]!;
      const bars: DailyBar[] = [];
      for (let index = Math.max(0, count - perSymbol); index < count; index++) bars.push(this.#bar(symbol, row * this.#perSymbol + index));
      picked.set(symbol, bars);
    }
    return picked;
  }

  #bar(symbol: string, slot: number): DailyBar {
    const at = slot * VALUES;
    const values = this.#values;
    return {
      stock_code: symbol,
      trade_date: formatDay(this.#days[slot]!),
      open_price: values[at]!,
      high_price: values[at + 1]!,
      low_price: values[at + 2]!,
      close_price: values[at + 3]!,
      volume: values[at + 4]!,
      data_quality: this.#weekend[slot] === 1 ? 'weekend' : 'valid',
    };
  }
}

/**
 * Reads the stored tails of `symbols` through `recentBars` (DailyBarsRepository.recentBars)
 * `chunk` symbols a statement, so that no more than one chunk's rows exist as objects at once.
 */
export async function readStoredTails(
  symbols: readonly string[],
  perSymbol: number,
  recentBars: (symbols: readonly string[], perSymbol: number) => Promise<ReadonlyMap<string, readonly DailyBar[]>>,
  chunk = 1_000,
): Promise<StoredTails> {
  const unique = [...new Set(symbols)];
  const tails = new StoredTails(unique.length, perSymbol);
  for (let start = 0; start < unique.length; start += chunk) {
    const recent = await recentBars(unique.slice(start, start + chunk), perSymbol);
    for (const [symbol, bars] of recent) tails.add(symbol, bars);
  }
  return tails;
}
