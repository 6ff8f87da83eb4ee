import { onAbort } from './on-abort.js';

/**
 * Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as the signal
 * aborts (timers/promises would reject with a generic AbortError instead).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe?.();
      resolve();
    }, Math.max(0, ms));
    const unsubscribe =
      signal === undefined
        ? undefined
        : onAbort(signal, () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
  });
}
