/** A signal that aborts when a parent signal does or a timer runs out; see {@link createAbortScope}. */
export interface AbortScope {
  readonly signal: AbortSignal;
  /** True once the scope's own timer fired (as opposed to the parent aborting). */
  timedOut(): boolean;
  /** Clears the timer and detaches from the parent. Call it in a `finally`. */
  dispose(): void;
}

/**
 * Links a child signal to `parent` and a `timeoutMs` timer. Written by hand rather than
 * with AbortSignal.any/timeout: a batch-long parent signal would otherwise collect one
 * listener per attempt, and thousands of pending 20 s timers would outlive their requests.
 */
export function createAbortScope(
  parent: AbortSignal | undefined,
  timeoutMs: number,
  timeoutReason: () => unknown,
): AbortScope {
  const controller = new AbortController();
  let fired = false;
  const onParentAbort = (): void => controller.abort(parent?.reason);
  let detach: (() => void) | undefined;
  const timer = setTimeout(() => {
    if (controller.signal.aborted) return;
    fired = true;
    controller.abort(timeoutReason());
  }, Math.max(0, timeoutMs));
  if (parent?.aborted) onParentAbort();
  else if (parent !== undefined) detach = whenAborted(parent, onParentAbort);
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer);
      detach?.();
    },
  };
}

// Subscribers per signal, behind one real listener: a batch-long signal is watched by every
// request and queued symbol, and an EventTarget scans its listener list on each add and remove.
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts (not when it already has: check first); returns
 * the unsubscribe. Adding and removing cost O(1) however many others watch the same signal.
 */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let set = subscribers.get(signal);
  if (set === undefined) {
    const created = new Set<() => void>();
    set = created;
    subscribers.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        subscribers.delete(signal);
        for (const subscriber of [...created]) notify(subscriber);
      },
      { once: true },
    );
  }
  // A function object of its own: the same callback may subscribe twice and unsubscribe once.
  const entry = (): void => callback();
  set.add(entry);
  const owner = set;
  return () => void owner.delete(entry);
}

/** As an EventTarget does, one subscriber's exception neither stops the others nor goes unreported. */
function notify(subscriber: () => void): void {
  try {
    subscriber();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
