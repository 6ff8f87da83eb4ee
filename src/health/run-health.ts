import { systemClock, type Clock } from '../clock.js';
import { clientOptionsFrom, mirrorsFrom, queryFrom } from '../config/slices.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { createMirrorClient } from '../mirrors/mirror-client.js';
import type { Mirror } from '../mirrors/mirror-list.js';
import { checkDatabase } from './check-database.js';
import { checkMirrors } from './check-mirrors.js';
import { decideHealth, DEFAULT_STALE_HEARTBEAT_MS, type BrokerCheck } from './decide-health.js';
import { healthDocument, healthExitCode } from './health-document.js';

/** The health document and the exit code it means (0 healthy, 1 degraded, 3 unhealthy). */
export interface HealthEnd {
  document: ReturnType<typeof healthDocument>;
  exitCode: number;
}

/**
 * `health`: checks the database and every configured mirror at once, each within
 * `healthTimeoutMs`. A failed check is a finding, never an exception.
 * @param only one side only: `db`, or `brokers`; undefined checks both.
 */
export async function runHealth(only: 'db' | 'brokers' | undefined, config: Config, logger: Logger, clock: Clock = systemClock): Promise<HealthEnd> {
  const checkedAt = clock.now();
  const timeoutMs = config.healthTimeoutMs;
  // A bad mirror list is a configuration error (exit 2), found before anything is asked.
  const mirrors = only === 'db' ? undefined : mirrorsFrom(config);
  const [database, brokers] = await Promise.all([
    only === 'brokers'
      ? undefined
      : checkDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, timeoutMs, markets: config.symbolSources.map((source) => source.market) }),
    mirrors === undefined ? undefined : probeMirrors(mirrors, config, timeoutMs),
  ]);
  const checks = { database, brokers };
  const decision = decideHealth(checks, checkedAt, {
    runMaxAgeMs: config.runMaxAgeMs,
    staleHeartbeatMs: DEFAULT_STALE_HEARTBEAT_MS,
    referenceMaxAgeMs: config.referenceMaxAgeMs,
  });
  const level = decision.status === 'healthy' ? 'info' : 'warn';
  logger[level]({ status: decision.status, reasons: decision.reasons }, `health: ${decision.status}`);
  return { exitCode: healthExitCode(decision.status), document: healthDocument(checks, decision, checkedAt) };
}

async function probeMirrors(mirrors: readonly Mirror[], config: Config, timeoutMs: number): Promise<BrokerCheck[]> {
  const options = clientOptionsFrom(config);
  const client = createMirrorClient({
    ...options,
    connectTimeoutMs: Math.min(options.connectTimeoutMs, timeoutMs),
    headersTimeoutMs: Math.min(options.headersTimeoutMs, timeoutMs),
    bodyTimeoutMs: Math.min(options.bodyTimeoutMs, timeoutMs),
    attemptTimeoutMs: Math.min(options.attemptTimeoutMs, timeoutMs),
    connectionsPerOrigin: 1,
  });
  try {
    return await checkMirrors(mirrors, client, { timeoutMs, query: { ...queryFrom(config), count: 1 } });
  } finally {
    await client.close();
  }
}
