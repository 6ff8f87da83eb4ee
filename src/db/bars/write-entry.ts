import type { UpsertCounts } from './daily-bars-repository.js';
import type { PackedBars } from './packed-bars.js';

/** One symbol's write waiting in the bar writer: its bars as columns, and the promise of its commit. */
export interface WriteEntry {
  /** The symbol's bars as columns: a write may wait seconds, and objects per bar would outlive the young heap. */
  group: PackedBars;
  rows: number;
  committed: Promise<UpsertCounts>;
  /** performance.now() when it was queued. */
  queuedAt: number;
  resolve(counts: UpsertCounts): void;
  reject(error: unknown): void;
}

/** A write not yet admitted (the writer is full, or the database is away). */
export interface WriteWaiter {
  entry: WriteEntry;
  admit(): void;
  refuse(error: unknown): void;
}

export const NO_ROWS: Readonly<UpsertCounts> = Object.freeze({ created: 0, updated: 0, unchanged: 0 });

/** A write for `group`, its commit still to come. */
export function newWriteEntry(group: PackedBars): WriteEntry {
  let resolve!: (counts: UpsertCounts) => void;
  let reject!: (error: unknown) => void;
  const committed = new Promise<UpsertCounts>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The caller attaches its handler only after `enqueue` resumes; a fatal error may come first.
  committed.catch(() => undefined);
  return { group, rows: group.count, committed, queuedAt: 0, resolve, reject };
}

/**
 * The next statement's symbols from `queue`, in arrival order, up to `maxSymbols` symbols and
 * `maxRows` rows (a first symbol larger than that goes alone); a symbol queued twice waits
 * for the next statement. Returns the statement's entries and what stays queued.
 */
export function takeStatement(queue: readonly WriteEntry[], maxSymbols: number, maxRows: number): { batch: WriteEntry[]; kept: WriteEntry[]; rows: number } {
  const batch: WriteEntry[] = [];
  const kept: WriteEntry[] = [];
  const symbols = new Set<string>();
  let rows = 0;
  for (const entry of queue) {
    const fits = batch.length === 0 || (batch.length < maxSymbols && rows + entry.rows <= maxRows);
    if (fits && !symbols.has(entry.group.symbol)) {
      batch.push(entry);
      symbols.add(entry.group.symbol);
      rows += entry.rows;
    } else {
      kept.push(entry);
    }
  }
  return { batch, kept, rows };
}
