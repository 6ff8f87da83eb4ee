import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { envNameFor } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';

async function configFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-config-'));
  const path = join(dir, 'config.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('fills every option with its default when nothing is given', async () => {
    const { config, sources } = await loadConfig({ flags: {}, env: {} });
    expect(config.dataDir).toBe('./.stock-crawler/db');
    expect(config.barCount).toBe(2880);
    expect(config.series).toBe('A');
    expect(config.attemptTimeoutMs).toBe(20_000);
    expect(config.maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(config.databaseUrl).toBeUndefined();
    expect(sources.barCount).toBe('default');
  });

  it('layers defaults < file < environment < flags', async () => {
    const path = await configFile({ barCount: 100, connectTimeoutMs: 1000, series: 'D' });
    const { config, sources } = await loadConfig({
      flags: { series: 'W' },
      env: { STOCK_CRAWLER_CONNECT_TIMEOUT_MS: '2000', DATABASE_URL: 'postgres://u@h/db' },
      configPath: path,
    });
    expect(config.barCount).toBe(100);
    expect(sources.barCount).toBe(`file ${path}`);
    expect(config.connectTimeoutMs).toBe(2000);
    expect(sources.connectTimeoutMs).toBe('env STOCK_CRAWLER_CONNECT_TIMEOUT_MS');
    expect(config.series).toBe('W');
    expect(sources.series).toBe('flag --series');
    expect(config.databaseUrl).toBe('postgres://u@h/db');
  });

  it('names the key and the source of a bad value', async () => {
    const error = await loadConfig({ flags: {}, env: { STOCK_CRAWLER_MAX_ATTEMPTS: 'lots' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('E_CONFIG');
    expect((error as ConfigError).key).toBe('maxAttempts');
    expect((error as ConfigError).source).toBe('env STOCK_CRAWLER_MAX_ATTEMPTS');
  });

  it('rejects values out of range', async () => {
    const error = await loadConfig({ flags: { connectTimeoutMs: '5' }, env: {} }).catch((e: unknown) => e);
    expect((error as ConfigError).key).toBe('connectTimeoutMs');
    expect((error as ConfigError).source).toBe('flag --connect-timeout-ms');
  });

  it('rejects unknown keys and unreadable or malformed files', async () => {
    const unknown = await configFile({ barCont: 5 });
    expect(await loadConfig({ flags: {}, env: {}, configPath: unknown }).catch((e: unknown) => (e as ConfigError).key)).toBe('barCont');
    const malformed = await configFile('{ not json');
    expect(await loadConfig({ flags: {}, env: {}, configPath: malformed }).catch((e: unknown) => (e as ConfigError).code)).toBe('E_CONFIG');
    const missing = await loadConfig({ flags: {}, env: {}, configPath: '/nonexistent/config.json' }).catch((e: unknown) => e);
    expect((missing as ConfigError).code).toBe('E_CONFIG');
  });

  it('reads the config path from STOCK_CRAWLER_CONFIG', async () => {
    const path = await configFile({ dataDir: '/tmp/elsewhere' });
    const { config } = await loadConfig({ flags: {}, env: { STOCK_CRAWLER_CONFIG: path } });
    expect(config.dataDir).toBe('/tmp/elsewhere');
  });

  it('parses booleans from the environment', async () => {
    expect((await loadConfig({ flags: {}, env: { STOCK_CRAWLER_QUIET: 'true' } })).config.quiet).toBe(true);
    expect((await loadConfig({ flags: {}, env: { STOCK_CRAWLER_QUIET: '0' } })).config.quiet).toBe(false);
    const error = await loadConfig({ flags: {}, env: { STOCK_CRAWLER_QUIET: 'maybe' } }).catch((e: unknown) => e);
    expect((error as ConfigError).key).toBe('quiet');
  });

  it('keeps the well-known environment names', () => {
    expect(envNameFor('databaseUrl')).toBe('DATABASE_URL');
    expect(envNameFor('brokers')).toBe('BROKER_URLS');
    expect(envNameFor('symbolDeadlineMs')).toBe('STOCK_CRAWLER_SYMBOL_DEADLINE_MS');
  });
});

describe('loadConfig, shards', () => {
  it('takes the shard of a Kubernetes Indexed Job', async () => {
    const { config, sources } = await loadConfig({ flags: {}, env: { JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '4' } });
    expect(config.shard).toBe('2/4');
    expect(sources.shard).toBe('env JOB_COMPLETION_INDEX');
  });

  it('lets an explicit shard win over the job index', async () => {
    const { config } = await loadConfig({ flags: { shard: '1/3' }, env: { JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '4' } });
    expect(config.shard).toBe('1/3');
  });

  it('refuses a malformed shard', async () => {
    const error = await loadConfig({ flags: { shard: 'half' }, env: {} }).catch((e: unknown) => e);
    expect((error as ConfigError).key).toBe('shard');
  });
});
