import type { LoadedConfig } from './load-config.js';
import { redactUrlPassword } from '../redact-password.js';
import { CONFIG_KEYS, SECRET_KEYS } from './schema.js';

/** What `--print-config` prints: every key's effective value (secrets masked) and where it came from. */
export interface ConfigDescription {
  /** Every option, in schema order; an unset optional one is null. */
  config: Record<string, unknown>;
  /** `default`, `file PATH`, `env NAME` or `flag --name`, per option. */
  sources: Record<string, string>;
}

/**
 * The effective configuration for people and scripts (pure). Secret keys (the database
 * URL) have their password replaced by `***`; so has any other value holding a URL with
 * credentials (a Pushgateway behind basic auth, a mirror given as http://user:pass@…),
 * since a secret that is not declared one is still a secret.
 */
export function describeConfig(loaded: LoadedConfig): ConfigDescription {
  const config: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = loaded.config[key];
    config[key] = value === undefined ? null : SECRET_KEYS.has(key) ? maskSecret(value) : maskUrls(value);
    sources[key] = loaded.sources[key];
  }
  return { config, sources };
}

function maskSecret(value: unknown): unknown {
  return typeof value === 'string' ? redactUrlPassword(value) : '***';
}

/** Masks URL passwords inside strings, arrays and objects, leaving everything else as is. */
function maskUrls(value: unknown): unknown {
  if (typeof value === 'string') return /@|password=/i.test(value) ? redactUrlPassword(value) : value;
  if (Array.isArray(value)) return value.map(maskUrls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUrls(v)]));
  }
  return value;
}
