import { clientOptionsFrom, mirrorsFrom, queryFrom, retryPolicyFrom, schedulerOptionsFrom } from '../config/slices.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { AttemptObserver } from '../metrics/run-metrics.js';
import { fetchSymbol, type Attempt, type FetchOutcome } from '../mirrors/fetch-symbol.js';
import { createIoTurns } from '../mirrors/io-turns.js';
import { createMirrorClient } from '../mirrors/mirror-client.js';
import type { Mirror } from '../mirrors/mirror-list.js';
import { createMirrorScheduler, type MirrorScheduler } from '../mirrors/mirror-scheduler.js';
import { socketsAhead } from '../mirrors/warm-connector.js';
import { createRotation } from '../mirrors/rotation.js';
import { sleep } from '../sleep.js';
import type { DailySeries } from '../core/daily-series.js';
import { createInlineParser, createParserPool } from '../parse/parser-pool.js';
import { rejectEmptyForKnown } from '../parse/reject-empty-for-known.js';

/** One request's shape: how many bars, and whether the symbol has stored history. */
export interface FetchRequest {
  /** djbcd `c`; default the configured barCount. */
  count?: number;
  /** An empty answer for a symbol with history is a mirror fault (next mirror), not "no data". */
  known?: boolean;
  /** Mirror names not to ask for this symbol (already heard, or found at fault). */
  exclude?: readonly string[] | undefined;
  signal?: AbortSignal;
}

/** The network and parsing half of a crawl: mirrors, HTTP pools and the parser threads. */
export interface CrawlRuntime {
  mirrors: readonly Mirror[];
  /** Fetches and parses one symbol with failover; never throws for a mirror failure. */
  fetch(symbol: string, request?: FetchRequest): Promise<FetchOutcome<DailySeries>>;
  /** The batch's request pool and circuit breakers, when created with `pooled`. */
  scheduler: MirrorScheduler | undefined;
  /**
   * Opens the mirrors' first sockets for a batch of `symbols` (pooled only), in the next
   * turn of the event loop: a caller about to wait on the database lets the connections be
   * set up meanwhile.
   */
  warmUp(symbols: number): void;
  close(): Promise<void>;
}

/**
 * Builds the runtime from configuration; the caller closes it in a `finally`. `pooled`
 * adds the global and per-mirror limits, spacing and circuit breakers a batch needs;
 * `metrics` sees every attempt.
 */
export function createCrawlRuntime(
  config: Config,
  logger: Logger,
  options: { pooled?: boolean; metrics?: AttemptObserver | undefined } = {},
): CrawlRuntime {
  const mirrors = mirrorsFrom(config);
  const scheduler = options.pooled ? createMirrorScheduler(mirrors, schedulerOptionsFrom(config), {
        now: () => performance.now(),
        random: Math.random,
        onOutage: (event) => {
          if (event.state === 'down') logger.warn({ patience_s: Math.round(event.patienceMs / 1000) }, 'every mirror is failing: waiting for one to recover (allDownPatienceMs), then exiting 3');
          else logger.info({ down_s: Math.round(event.downForMs / 1000) }, 'a mirror recovered');
        },
      }) : undefined;
  const client = createMirrorClient(clientOptionsFrom(config));
  const parser = config.parserThreads === 0 ? createInlineParser() : createParserPool({ threads: config.parserThreads });
  const rotation = createRotation(mirrors.length, Math.random);
  // One queue for the whole batch: every symbol's decode takes its own event-loop turn.
  const ioTurns = createIoTurns();
  const query = queryFrom(config);
  const policy = retryPolicyFrom(config);
  let closed = false;

  const logAttempt = (symbol: string) => (attempt: Attempt) => {
    options.metrics?.observeAttempt(attempt);
    if (attempt.code === undefined) logger.debug({ symbol, ...attempt, ms: Math.round(attempt.ms) }, 'attempt ok');
    else logger.warn({ symbol, ...attempt, ms: Math.round(attempt.ms) }, 'attempt failed');
  };

  return {
    mirrors,
    scheduler,
    warmUp(symbols) {
      if (scheduler === undefined) return;
      const sockets = socketsAhead({ mirrors: mirrors.length, concurrency: config.concurrency, perMirror: config.perMirror, symbols });
      // In a turn of its own: the statements the caller has just issued are sent first,
      // rather than after some milliseconds of opening sockets.
      setImmediate(() => {
        if (closed) return;
        for (const mirror of mirrors) client.warm(mirror, sockets);
      });
    },
    fetch: (symbol, request = {}) =>
      fetchSymbol(symbol, {
        mirrors,
        client,
        query: request.count === undefined ? query : { ...query, count: request.count },
        policy,
        startIndex: rotation.next(),
        decode: async (response) => rejectEmptyForKnown(await parser.parse(response.bytes, response.charset), request.known === true),
        sleep,
        now: () => performance.now(),
        random: Math.random,
        onAttempt: logAttempt(symbol),
        scheduler,
        ioTurns,
        exclude: request.exclude,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      }),
    async close() {
      closed = true;
      await Promise.allSettled([client.close(), parser.close()]);
    },
  };
}
