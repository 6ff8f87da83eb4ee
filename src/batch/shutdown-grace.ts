import { setMaxListeners } from 'node:events';

/** The run's way of stopping: the stop signal starts a grace period; `cancel` aborts when it ends. */
export interface ShutdownGrace {
  /** Aborts when the grace period after a stop signal runs out, or at once after cancelNow. */
  cancel: AbortSignal;
  /** Skips the wait (after a fatal error nothing in flight can succeed). */
  cancelNow(reason: unknown): void;
  dispose(): void;
}

/**
 * After a stop signal (SIGINT/SIGTERM), symbols in flight get `graceMs` to finish; then
 * `cancel` aborts and their requests are cancelled, nothing of theirs written.
 */
export function graceAfter(signal: AbortSignal, graceMs: number): ShutdownGrace {
  const controller = new AbortController();
  // Every request in flight listens to it: hundreds of listeners are expected.
  setMaxListeners(0, controller.signal);
  const startGrace = (): void => void setTimeout(() => controller.abort(signal.reason), graceMs).unref();
  signal.addEventListener('abort', startGrace, { once: true });
  return {
    cancel: controller.signal,
    cancelNow: (reason) => controller.abort(reason),
    dispose: () => signal.removeEventListener('abort', startGrace),
  };
}
