import { exitCodeForSignal } from '../errors.js';
import type { Logger } from '../logger.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Where SIGINT/SIGTERM come from; the process in production, absent in in-process tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
  /** Ends the process at once: only for a second signal, when the user insists. */
  exitNow(code: number): void;
}

/**
 * The first SIGINT/SIGTERM aborts the signal handed to the command, which stops starting
 * work and winds down; a second one ends the process at once.
 */
export async function withStopSignals<T>(
  signals: SignalSource | undefined,
  logger: Pick<Logger, 'warn' | 'error'>,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = (): void => {
      if (controller.signal.aborted) {
        logger.error({ signal: name }, 'second signal: exiting now');
        signals?.exitNow(exitCodeForSignal(name));
        return;
      }
      logger.warn({ signal: name }, 'stopping: no new symbols; finishing those in flight');
      controller.abort(name);
    };
    signals?.on(name, listener);
    return [name, listener] as const;
  });
  try {
    return await work(controller.signal);
  } finally {
    for (const [name, listener] of listeners) signals?.off(name, listener);
  }
}
