import { onAbort } from '../on-abort.js';

/** One caller waiting in a {@link WaitQueue}. */
export interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  /** The slot indexes it may be given (none for a wait on any mirror). */
  readonly candidates: readonly number[];
}

interface Entry<T> extends Waiter<T> {
  /** Stops watching the waiter's signal. */
  unsubscribe: (() => void) | undefined;
}

/**
 * First come, first served waiters of the scheduler, each with the slots it may be given,
 * and per slot how many waiters could take it. An aborted waiter leaves the queue and
 * rejects with its signal's reason.
 */
export class WaitQueue<T> {
  private readonly entries: Array<Entry<T>> = [];
  /** Per slot index, how many queued waiters list it as a candidate. */
  readonly demand: number[];

  /**
   * @param slotCount the slots' count, for {@link demand}
   * @param onAbandoned called after an aborted waiter left the queue
   */
  constructor(
    slotCount: number,
    private readonly onAbandoned: () => void,
  ) {
    this.demand = Array.from({ length: slotCount }, () => 0);
  }

  get length(): number {
    return this.entries.length;
  }

  /** The waiter at position `at`, left in the queue. */
  at(at: number): Waiter<T> {
    return this.entries[at]!;
  }

  /** Queues a waiter; the promise settles when it is taken and told, or rejects on abort. `signal` must not be aborted yet. */
  add(candidates: readonly number[], signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry<T> = { resolve, reject, candidates, unsubscribe: undefined };
      if (signal !== undefined) {
        entry.unsubscribe = onAbort(signal, () => {
          const at = this.entries.indexOf(entry);
          if (at >= 0) this.take(at);
          reject(signal.reason);
          this.onAbandoned();
        });
      }
      for (const index of candidates) this.demand[index]! += 1;
      this.entries.push(entry);
    });
  }

  /** Removes the waiter at position `at` and returns it, to be resolved or rejected. */
  take(at: number): Waiter<T> {
    const [entry] = this.entries.splice(at, 1);
    entry!.unsubscribe?.();
    for (const index of entry!.candidates) this.demand[index]! -= 1;
    return entry!;
  }

  /** Takes every waiter, in order, and hands each to `settle`. */
  drain(settle: (waiter: Waiter<T>) => void): void {
    while (this.entries.length > 0) settle(this.take(0));
  }
}
