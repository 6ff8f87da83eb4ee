import { systemClock, type Clock } from '../../clock.js';
import { clientOptionsFrom, mirrorsFrom, queryFrom } from '../../config/slices.js';
import type { Config } from '../../config/schema.js';
import { checkDatabase } from '../../health/check-database.js';
import { checkMirrors } from '../../health/check-mirrors.js';
import { decideHealth, DEFAULT_STALE_HEARTBEAT_MS, type BrokerCheck } from '../../health/decide-health.js';
import { healthDocument, healthExitCode } from '../../health/health-document.js';
import type { Logger } from '../../logger.js';
import { createMirrorClient } from '../../mirrors/mirror-client.js';
import type { Mirror } from '../../mirrors/mirror-list.js';
import type { CommandOutput } from '../command-output.js';

export interface HealthCommandInput {
  /** Check one side only: `--db` or a bare `--brokers`; undefined checks both. */
  only: 'db' | 'brokers' | undefined;
  config: Config;
  logger: Logger;
  /** Default: the system clock. */
  clock?: Clock;
}

/**
 * `stock-crawler health`: checks the database and every configured mirror at once, each
 * within `healthTimeoutMs`, and prints the health document. Exit 0 healthy, 1 degraded,
 * 3 unhealthy; a failed check is a finding, never an exception.
 */
export async function healthCommand(input: HealthCommandInput): Promise<CommandOutput> {
  const { config, logger } = input;
  const checkedAt = (input.clock ?? systemClock).now();
  const timeoutMs = config.healthTimeoutMs;
  // A bad mirror list is a configuration error (exit 2), found before anything is asked.
  const mirrors = input.only === 'db' ? undefined : mirrorsFrom(config);
  const [database, brokers] = await Promise.all([
    input.only === 'brokers' ? undefined : checkDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, timeoutMs }),
    mirrors === undefined ? undefined : probeMirrors(mirrors, config, timeoutMs),
  ]);
  const checks = { database, brokers };
  const decision = decideHealth(checks, checkedAt, { runMaxAgeMs: config.runMaxAgeMs, staleHeartbeatMs: DEFAULT_STALE_HEARTBEAT_MS });
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
