import { retryTransient, type RetryEvent } from '../db/connection/transient-retry.js';
import type { Logger } from '../logger.js';

/** The first retry of an outage is worth a warning; the rest only say it goes on. */
export function logRetry(logger: Pick<Logger, 'warn' | 'debug'>): (event: RetryEvent) => void {
  return ({ retry, delayMs, elapsedMs, error }) => {
    const fields = { err: error, retry, delayMs, elapsedMs };
    if (retry === 1) logger.warn(fields, 'database unavailable: retrying');
    else logger.debug(fields, 'database still unavailable: retrying');
  };
}

/**
 * Runs reads and bookkeeping so that they ride out a database outage as the writer does
 * (for `budgetMs`), and stop retrying once `cancel` aborts.
 */
export function retrying(budgetMs: number, cancel: AbortSignal, logger: Pick<Logger, 'warn' | 'debug'>) {
  return <T>(work: () => Promise<T>): Promise<T> => retryTransient(work, { budgetMs }, { signal: cancel, onRetry: logRetry(logger) });
}
