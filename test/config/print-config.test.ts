import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { describeConfig } from '../../src/config/print-config.js';
import { CONFIG_KEYS } from '../../src/config/schema.js';
import type { ConfigError } from '../../src/errors.js';

const SENTINEL = 's3cr3t-sentinel';

describe('describeConfig', () => {
  it('shows every key with its source, and never the database password', async () => {
    const loaded = await loadConfig({
      flags: { concurrency: '4' },
      env: { DATABASE_URL: `postgres://crawler:${SENTINEL}@db.internal:5432/stocks?sslmode=require` },
    });
    const { config, sources } = describeConfig(loaded);
    expect(Object.keys(config)).toEqual(CONFIG_KEYS);
    expect(Object.keys(sources)).toEqual(CONFIG_KEYS);
    expect(config.databaseUrl).toBe('postgres://crawler:***@db.internal:5432/stocks?sslmode=require');
    expect(sources.databaseUrl).toBe('env DATABASE_URL');
    expect(config.concurrency).toBe(4);
    expect(sources.concurrency).toBe('flag --concurrency');
    expect(config.barCount).toBe(2880);
    expect(sources.barCount).toBe('default');
    // Unset optional keys are shown, as null, so the output lists every option.
    expect(config.metricsFile).toBeNull();
    expect(JSON.stringify(describeConfig(loaded))).not.toContain(SENTINEL);
  });

  it('masks a password given as a parameter, and credentials in any other URL', async () => {
    const loaded = await loadConfig({
      flags: {},
      env: {
        DATABASE_URL: `postgres:///stocks?host=/run/postgresql&user=crawler&password=${SENTINEL}`,
        STOCK_CRAWLER_PUSHGATEWAY: `https://ops:${SENTINEL}@push.example:9091/`,
      },
    });
    const text = JSON.stringify(describeConfig(loaded));
    expect(text).not.toContain(SENTINEL);
    const { config } = describeConfig(loaded);
    expect(config.pushgateway).toBe('https://ops:***@push.example:9091/');
    expect(config.databaseUrl).toContain('password=***');
    // A mirror list (loadConfig refuses credentials in one, masking them in its error).
    const brokers = `fubon=http://u:${SENTINEL}@fubon.example/,kgi=http://kgi.example/`;
    expect(describeConfig({ config: { brokers } as never, sources: {} as never }).config.brokers).toBe('fubon=http://u:***@fubon.example/,kgi=http://kgi.example/');
    const refused = await loadConfig({ flags: {}, env: { BROKER_URLS: brokers } }).catch((error: unknown) => error);
    expect((refused as ConfigError).key).toBe('brokers');
    expect((refused as ConfigError).message).toContain('credentials');
    expect((refused as ConfigError).message).not.toContain(SENTINEL);
  });

  it('masks inside a mirror list from a file', () => {
    const { config } = describeConfig({
      config: { brokers: [{ name: 'a', url: `http://u:${SENTINEL}@a.example/` }, 'http://b.example/'] } as never,
      sources: {} as never,
    });
    expect(JSON.stringify(config)).not.toContain(SENTINEL);
    expect(config.brokers).toEqual([{ name: 'a', url: 'http://u:***@a.example/' }, 'http://b.example/']);
  });
});
