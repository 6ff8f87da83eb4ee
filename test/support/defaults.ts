import { OPTIONS } from '../../src/config/options.js';
import { defaultConfig } from '../../src/config/schema.js';
import { clientOptionsFrom, queryFrom, retryPolicyFrom, schedulerOptionsFrom } from '../../src/config/slices.js';
import type { InstrumentType } from '../../src/market/instrument-type.js';
import type { SymbolSource } from '../../src/market/market.js';
import type { DjbcdQuery } from '../../src/mirrors/djbcd-url.js';
import type { RetryPolicy } from '../../src/mirrors/failover.js';
import type { MirrorClientOptions } from '../../src/mirrors/mirror-client.js';
import type { SchedulerOptions } from '../../src/mirrors/scheduler-options.js';
import type { VerifyOptions } from '../../src/verify/verify-run.js';

/*
 * The modules' slices of the default configuration, for tests that build a module with
 * its defaults and change one or two settings. Derived from the one declaration of each
 * option (src/config/options.ts), never written out again here.
 */

const DEFAULTS = defaultConfig();

/** The HTTP client's options when nothing is configured. */
export const DEFAULT_CLIENT_OPTIONS: Readonly<MirrorClientOptions> = Object.freeze(clientOptionsFrom(DEFAULTS));

/** The scheduler's options when nothing is configured. */
export const DEFAULT_SCHEDULER_OPTIONS: Readonly<SchedulerOptions> = Object.freeze(schedulerOptionsFrom(DEFAULTS));

/** The failover's limits when nothing is configured. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze(retryPolicyFrom(DEFAULTS));

/** The djbcd query when nothing is configured: what the Python service sent. */
export const DEFAULT_QUERY: Readonly<DjbcdQuery> = Object.freeze(queryFrom(DEFAULTS));

/** The User-Agent sent when none is configured. */
export const DEFAULT_USER_AGENT: string = DEFAULTS.userAgent;

/** Where `sync` reads the universe when nothing is configured: the exchange's ISIN pages. */
export const DEFAULT_SYMBOL_SOURCES: readonly SymbolSource[] = Object.freeze(DEFAULTS.symbolSources);

/** The instrument types crawled when nothing is configured. */
export const DEFAULT_SYMBOL_TYPES: readonly InstrumentType[] = Object.freeze(DEFAULTS.symbolTypes);

/** `verify`'s settings when no flag is given: its own options' defaults, and the crawl's concurrency. */
export const DEFAULT_VERIFY_OPTIONS: Readonly<VerifyOptions> = Object.freeze({
  bars: OPTIONS.bars.default,
  sample: OPTIONS.sample.default,
  minAgreement: OPTIONS.minAgreement.default,
  // A flag's default is its absence.
  repair: false,
  concurrency: DEFAULTS.concurrency,
});
