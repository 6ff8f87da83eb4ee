import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { CONFIG_KEYS, configSchema, envNameFor, type Config, type ConfigKey } from './schema.js';

/** Where an effective value came from, for error messages and `--print-config`. */
export type ConfigSource = 'default' | `file ${string}` | `env ${string}` | `flag --${string}`;

export interface LoadConfigInput {
  /** Values given as flags, keyed by option name; undefined means "not given". */
  flags: Partial<Record<ConfigKey, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  /** `--config PATH`; falls back to STOCK_CRAWLER_CONFIG. */
  configPath?: string | undefined;
}

export interface LoadedConfig {
  config: Config;
  sources: Record<ConfigKey, ConfigSource>;
}

/**
 * Resolves defaults < config file < environment < flags, validating each value against
 * its schema so that a bad one names its key and the source it came from.
 * This is the only reader of the process environment.
 */
export async function loadConfig(input: LoadConfigInput): Promise<LoadedConfig> {
  const configPath = input.configPath ?? nonEmpty(input.env.STOCK_CRAWLER_CONFIG);
  const fileValues = configPath === undefined ? {} : await readConfigFile(configPath);

  const raw: Partial<Record<ConfigKey, unknown>> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of CONFIG_KEYS) {
    const chosen = pickLayer(key, input, fileValues, configPath);
    sources[key] = chosen.source;
    if (chosen.source === 'default') continue;
    raw[key] = validateOne(key, chosen.value, chosen.source);
  }
  const config = configSchema.parse(raw);
  return { config, sources };
}

function pickLayer(
  key: ConfigKey,
  input: LoadConfigInput,
  fileValues: Record<string, unknown>,
  configPath: string | undefined,
): { value: unknown; source: ConfigSource } {
  const flag = input.flags[key];
  if (flag !== undefined) return { value: flag, source: `flag --${kebab(key)}` };
  const envName = envNameFor(key);
  const fromEnv = nonEmpty(input.env[envName]);
  if (fromEnv !== undefined) return { value: fromEnv, source: `env ${envName}` };
  if (fileValues[key] !== undefined) return { value: fileValues[key], source: `file ${configPath}` };
  if (key === 'shard') return indexedJobShard(input.env);
  return { value: undefined, source: 'default' };
}

/** A Kubernetes Indexed Job says which part is ours through JOB_COMPLETION_INDEX of JOB_COMPLETIONS. */
function indexedJobShard(env: LoadConfigInput['env']): { value: unknown; source: ConfigSource } {
  const index = nonEmpty(env.JOB_COMPLETION_INDEX);
  const count = nonEmpty(env.JOB_COMPLETIONS);
  if (index === undefined || count === undefined) return { value: undefined, source: 'default' };
  return { value: `${index}/${count}`, source: 'env JOB_COMPLETION_INDEX' };
}

function validateOne(key: ConfigKey, value: unknown, source: ConfigSource): unknown {
  const result = configSchema.shape[key].safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ConfigError(key, source, issue?.message ?? 'invalid value');
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('config', `flag --config`, `cannot read ${path} (${reason})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('config', `file ${path}`, `not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('config', `file ${path}`, 'must hold a JSON object');
  }
  const known = new Set<string>(CONFIG_KEYS);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new ConfigError(key, `file ${path}`, 'unknown option');
  }
  return parsed as Record<string, unknown>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
