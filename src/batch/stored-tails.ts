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

  /** The symbol's newest stored trading day; null when it has no bars here. */
  newestDay(symbol: string): string | null {
    const row = this.#rows.get(symbol);
    if (row === undefined) return null;
    // Most symbols share their newest day; formatDay makes each day's text once.
    return formatDay(this.#days[row * this.#perSymbol + this.#counts[row]! - 1]!);
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

/** The stored tails of a run's symbols, as their chunks come in. */
export interface StoredTailsReading {
  /** The symbol's newest stored day once its chunk is read (null: none stored); rejects when that read failed. */
  newestDay(symbol: string): Promise<string | null>;
  /** As {@link StoredTails.lastBars}, for symbols whose chunk is read. */
  lastBars(symbols: readonly string[], perSymbol: number): Map<string, DailyBar[]>;
  /** Settles once every chunk is read, or at the first failed read (the later ones are not made). */
  readonly done: Promise<StoredTails>;
}

/** How many symbols each statement asks for. */
export interface TailChunks {
  /** The first statement's: small, so the first symbols can be planned (and their requests sent) early. */
  first: number;
  /** The most any statement asks for: no more than one chunk's rows exist as objects at once. */
  most: number;
}

/**
 * Reads the stored tails of `symbols` through `recentBars` (DailyBarsRepository.recentBars),
 * one statement at a time, the first `chunks.first` symbols first and each later statement four
 * times the one before, up to `chunks.most`. A nightly run's requests wait only for the
 * first, short statement; the later ones are read while they are in flight.
 */
export function readStoredTails(
  symbols: readonly string[],
  perSymbol: number,
  recentBars: (symbols: readonly string[], perSymbol: number) => Promise<ReadonlyMap<string, readonly DailyBar[]>>,
  chunks: TailChunks = { first: 1_000, most: 1_000 },
): StoredTailsReading {
  const unique = [...new Set(symbols)];
  const tails = new StoredTails(unique.length, perSymbol);
  const chunkOf = new Map<string, number>();
  const reads: Promise<void>[] = [];
  let previous: Promise<void> = Promise.resolve();
  for (const [index, chunk] of chunked(unique, chunks).entries()) {
    for (const symbol of chunk) chunkOf.set(symbol, index);
    const read = previous.then(async () => {
      const recent = await recentBars(chunk, perSymbol);
      for (const [symbol, bars] of recent) tails.add(symbol, bars);
    });
    // Each read is awaited through `done` or newestDay, maybe later than it fails: these
    // handlers only keep the failure from being reported unhandled in the meantime.
    read.catch(() => undefined);
    reads.push(read);
    previous = read;
  }
  const done = previous.then(() => tails);
  done.catch(() => undefined);
  return {
    newestDay: async (symbol) => {
      const index = chunkOf.get(symbol);
      if (index !== undefined) await reads[index];
      return tails.newestDay(symbol);
    },
    lastBars: (asked, count) => tails.lastBars(asked, count),
    done,
  };
}

function chunked(symbols: readonly string[], { first, most }: TailChunks): string[][] {
  const chunks: string[][] = [];
  let size = Math.max(1, Math.min(first, most));
  for (let start = 0; start < symbols.length; start += size, size = Math.min(most, size * 4)) chunks.push(symbols.slice(start, start + size));
  return chunks;
}
