import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import { redactUrlPassword } from '../redact-password.js';
import { flagNameOf } from './options.js';
import { CONFIG_KEYS, configSchema, envNameFor, SECRET_KEYS, schemaOf, type Config, type ConfigKey } from './schema.js';

/** Where an effective value came from, for error messages and `--print-config`. */
export type ConfigSource = 'default' | `file ${string}` | `env ${string}` | `flag --${string}`;

export interface LoadConfigInput {
  /** Values given as flags (already turned into the setting's unit), keyed by setting; undefined means "not given". */
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
  const pathSource = input.configPath !== undefined ? 'flag --config' : 'env STOCK_CRAWLER_CONFIG';
  const fileValues = configPath === undefined ? {} : await readConfigFile(configPath, pathSource);

  const raw: Partial<Record<ConfigKey, unknown>> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of CONFIG_KEYS) {
    const chosen = pickLayer(key, input, fileValues, configPath);
    sources[key] = chosen.source;
    if (chosen.source === 'default') continue;
    // Checked here to name the source of a bad value; parsed below with the rest.
    validateOne(key, chosen.value, chosen.source);
    raw[key] = chosen.value;
  }
  const config = configSchema.parse(raw) as Config;
  return { config, sources };
}

function pickLayer(
  key: ConfigKey,
  input: LoadConfigInput,
  fileValues: Record<string, unknown>,
  configPath: string | undefined,
): { value: unknown; source: ConfigSource } {
  const flag = input.flags[key];
  // The flag the user typed (`--timeout` for healthTimeoutMs), so an error names it.
  if (flag !== undefined) return { value: flag, source: `flag ${flagNameOf(key) ?? `--${kebab(key)}`}` as ConfigSource };
  const envName = envNameFor(key);
  const fromEnv = nonEmpty(input.env[envName]);
  if (fromEnv !== undefined) return { value: fromEnv, source: `env ${envName}` };
  // `key:` with no value (null) in a YAML file reads as "not set", as an empty variable does.
  if (fileValues[key] !== undefined && fileValues[key] !== null) return { value: fileValues[key], source: `file ${configPath}` };
  if (key === 'shard') return indexedJobShard(input.env);
  return { value: undefined, source: 'default' };
}

/**
 * A Kubernetes Indexed Job says which part is ours through JOB_COMPLETION_INDEX of JOB_COMPLETIONS.
 * One without the other is refused: every pod crawling the whole universe would multiply the load on the mirrors.
 */
function indexedJobShard(env: LoadConfigInput['env']): { value: unknown; source: ConfigSource } {
  const index = nonEmpty(env.JOB_COMPLETION_INDEX);
  const count = nonEmpty(env.JOB_COMPLETIONS);
  if (index === undefined && count === undefined) return { value: undefined, source: 'default' };
  if (index === undefined || count === undefined) {
    const [given, missing] = index === undefined ? ['JOB_COMPLETIONS', 'JOB_COMPLETION_INDEX'] : ['JOB_COMPLETION_INDEX', 'JOB_COMPLETIONS'];
    throw new ConfigError('shard', `env ${given}`, `${missing} is not set; the two go together (or give --shard)`);
  }
  return { value: `${index}/${count}`, source: 'env JOB_COMPLETION_INDEX' };
}

function validateOne(key: ConfigKey, value: unknown, source: ConfigSource): void {
  const result = schemaOf(key).safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0];
  // The value as given helps find it, unless it is a secret (or, for brokers, already quoted
  // entry by entry); credentials in a URL are masked all the same.
  const got = SECRET_KEYS.has(key) || key === 'brokers' ? '' : ` (got ${echo(value)})`;
  throw new ConfigError(key, source, `${redactUrlPassword(issue?.message ?? 'invalid value')}${got}`);
}

/** A value quoted on one line, at most ~40 characters, any URL password masked. */
function echo(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
  const clean = redactUrlPassword(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/**
 * Reads a config file: JSON (`.json`), YAML (`.yaml`, `.yml`), or for any other name
 * JSON and then YAML. Parse errors give the line and column but never quote the file:
 * the line at fault may hold the database password.
 */
async function readConfigFile(path: string, pathSource: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('config', pathSource, `cannot read ${path} (${reason})`);
  }
  const source = `file ${path}`;
  const extension = extname(path).toLowerCase();
  let parsed: unknown;
  if (extension === '.json') parsed = parseJson(text, source);
  else if (extension === '.yaml' || extension === '.yml') parsed = await parseYamlText(text, source);
  else {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = await parseYamlText(text, source, 'JSON or YAML');
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('config', source, 'must hold an object of options (key: value)');
  }
  const known = new Set<string>(CONFIG_KEYS);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      const near = closestKey(key);
      throw new ConfigError(key, source, `unknown option${near === undefined ? '' : ` (did you mean ${near}?)`}`);
    }
  }
  return parsed as Record<string, unknown>;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 quotes the text it choked on; keep only the description and the place.
    const what = message.replace(/,? ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    const position = /at position (\d+)/.exec(message)?.[1];
    throw new ConfigError('config', source, `not valid JSON${position === undefined ? '' : ` at ${lineAndColumn(text, Number(position))}`}: ${what}`);
  }
}

/** Only a YAML file pays for the YAML parser's modules. */
async function parseYamlText(text: string, source: string, format?: string): Promise<unknown> {
  const { parseYamlConfig } = await import('./parse-yaml-config.js');
  return parseYamlConfig(text, source, format);
}

/** 'line L, column C' (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The known key a typo most likely meant (edit distance ≤ 2, or the same letters in another case). */
function closestKey(key: string): ConfigKey | undefined {
  let best: { key: ConfigKey; distance: number } | undefined;
  for (const known of CONFIG_KEYS) {
    const distance = known.toLowerCase() === key.toLowerCase() ? 0 : editDistance(known, key);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
