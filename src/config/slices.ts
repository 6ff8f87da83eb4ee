import { ConfigError, UsageError } from '../errors.js';
import type { DjbcdQuery } from '../mirrors/djbcd-url.js';
import { DJBCD_EXTRA } from '../mirrors/djbcd-url.js';
import type { RetryPolicy } from '../mirrors/failover.js';
import type { MirrorClientOptions } from '../mirrors/mirror-client.js';
import type { SchedulerOptions } from '../mirrors/scheduler-options.js';
import { DEFAULT_MIRRORS, normaliseMirrors, parseMirrorList, type Mirror } from '../mirrors/mirror-list.js';
import type { Config } from './schema.js';

/** Each module's slice of the configuration, typed as that module declares it. */

export function mirrorsFrom(config: Config): Mirror[] {
  if (config.brokers === undefined) return [...DEFAULT_MIRRORS];
  try {
    return typeof config.brokers === 'string' ? parseMirrorList(config.brokers) : normaliseMirrors(config.brokers);
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigError('brokers', 'configuration', error.message);
    throw error;
  }
}

export function queryFrom(config: Config): DjbcdQuery {
  return { series: config.series, count: config.barCount, extra: DJBCD_EXTRA };
}

export function clientOptionsFrom(config: Config): MirrorClientOptions {
  return {
    connectTimeoutMs: config.connectTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
    attemptTimeoutMs: config.attemptTimeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    userAgent: config.userAgent,
    connectionsPerOrigin: config.perMirror,
  };
}

export function retryPolicyFrom(config: Config): RetryPolicy {
  return {
    mirrorsPerRound: config.mirrorsPerRound,
    maxRounds: config.maxRounds,
    maxAttempts: config.maxAttempts,
    backoffBaseMs: config.backoffBaseMs,
    backoffMaxMs: config.backoffMaxMs,
    retryAfterMaxMs: config.retryAfterMaxMs,
    symbolDeadlineMs: config.symbolDeadlineMs,
  };
}

export function schedulerOptionsFrom(config: Config): SchedulerOptions {
  return {
    concurrency: config.concurrency,
    perMirror: config.perMirror,
    spacingMs: config.spacingMs,
    circuitFailures: config.circuitFailures,
    circuitWindow: config.circuitWindow,
    circuitRatio: config.circuitRatio,
    circuitCooldownMs: config.circuitCooldownMs,
    circuitMaxCooldownMs: config.circuitMaxCooldownMs,
    allDownPatienceMs: config.allDownPatienceMs,
    retryAfterMaxMs: config.retryAfterMaxMs,
  };
}
