import { clientOptionsFrom, mirrorsFrom, queryFrom, retryPolicyFrom } from '../config/slices.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { fetchSymbol, type Attempt, type FetchOutcome } from '../mirrors/fetch-symbol.js';
import { createMirrorClient } from '../mirrors/mirror-client.js';
import type { Mirror } from '../mirrors/mirror-list.js';
import { createRotation } from '../mirrors/rotation.js';
import { sleep } from '../mirrors/sleep.js';
import type { DailySeries } from '../parse/daily-series.js';
import { createParserPool } from '../parse/parser-pool.js';

/** The network and parsing half of a crawl: mirrors, HTTP pools and the parser threads. */
export interface CrawlRuntime {
  mirrors: readonly Mirror[];
  /** Fetches and parses one symbol with failover; never throws for a mirror failure. */
  fetch(symbol: string, signal?: AbortSignal): Promise<FetchOutcome<DailySeries>>;
  close(): Promise<void>;
}

/** Builds the runtime from configuration; the caller closes it in a `finally`. */
export function createCrawlRuntime(config: Config, logger: Logger): CrawlRuntime {
  const mirrors = mirrorsFrom(config);
  const client = createMirrorClient(clientOptionsFrom(config));
  const parser = createParserPool(config.parserThreads === undefined ? {} : { threads: config.parserThreads });
  const rotation = createRotation(mirrors.length, Math.random);
  const query = queryFrom(config);
  const policy = retryPolicyFrom(config);

  const logAttempt = (symbol: string) => (attempt: Attempt) => {
    if (attempt.code === undefined) logger.debug({ symbol, ...attempt, ms: Math.round(attempt.ms) }, 'attempt ok');
    else logger.warn({ symbol, ...attempt, ms: Math.round(attempt.ms) }, 'attempt failed');
  };

  return {
    mirrors,
    fetch: (symbol, signal) =>
      fetchSymbol(symbol, {
        mirrors,
        client,
        query,
        policy,
        startIndex: rotation.next(),
        decode: (response) => parser.parse(response.bytes, response.charset),
        sleep,
        now: () => performance.now(),
        random: Math.random,
        onAttempt: logAttempt(symbol),
        ...(signal === undefined ? {} : { signal }),
      }),
    async close() {
      await Promise.allSettled([client.close(), parser.close()]);
    },
  };
}
