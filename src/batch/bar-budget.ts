/**
 * A weighted semaphore over bars: each symbol takes the bars it asks the mirrors for
 * before it starts and gives them back once its write has settled. On a backfill the
 * database, not the network, sets the pace; without this, every symbol slot would sit
 * on a fetched history waiting for the writer, and memory would grow with the slots.
 * On a nightly run (a few bars each) it never binds.
 *
 * Grants are first come, first served. A request larger than the whole budget is
 * granted when nothing else is held, so one oversized symbol cannot deadlock the run.
 */
export interface BarBudget {
  /** Resolves with the release function once `bars` fit. */
  acquire(bars: number): Promise<() => void>;
  /** Bars currently held. */
  readonly held: number;
}

export function createBarBudget(total: number): BarBudget {
  let held = 0;
  const queue: Array<{ bars: number; grant: () => void }> = [];

  const fits = (bars: number): boolean => held === 0 || held + bars <= total;

  function release(bars: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held -= bars;
      drain();
    };
  }

  function drain(): void {
    while (queue.length > 0 && fits((queue[0] as { bars: number }).bars)) {
      const next = queue.shift() as { bars: number; grant: () => void };
      held += next.bars;
      next.grant();
    }
  }

  return {
    acquire(bars) {
      if (queue.length === 0 && fits(bars)) {
        held += bars;
        return Promise.resolve(release(bars));
      }
      return new Promise((resolve) => queue.push({ bars, grant: () => resolve(release(bars)) }));
    },
    get held() {
      return held;
    },
  };
}
