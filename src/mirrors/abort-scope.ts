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
  const timer = setTimeout(() => {
    if (controller.signal.aborted) return;
    fired = true;
    controller.abort(timeoutReason());
  }, Math.max(0, timeoutMs));
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
