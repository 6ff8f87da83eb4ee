import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { defaultConfig, envNameFor } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';

async function configFile(content: unknown, name = 'config.json'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-config-'));
  const path = join(dir, name);
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
    const error = await loadConfig({ flags: { concurrency: '0' }, env: {} }).catch((e: unknown) => e);
    expect((error as ConfigError).key).toBe('concurrency');
    expect((error as ConfigError).source).toBe('flag --concurrency');
  });

  it('rejects unknown keys and unreadable or malformed files', async () => {
    const unknown = await configFile({ barCont: 5 });
    expect(await loadConfig({ flags: {}, env: {}, configPath: unknown }).catch((e: unknown) => (e as ConfigError).key)).toBe('barCont');
    const malformed = await configFile('{ not json');
    expect(await loadConfig({ flags: {}, env: {}, configPath: malformed }).catch((e: unknown) => (e as ConfigError).code)).toBe('E_CONFIG');
    const missing = await loadConfig({ flags: {}, env: {}, configPath: '/nonexistent/config.json' }).catch((e: unknown) => e);
    expect((missing as ConfigError).code).toBe('E_CONFIG');
    expect((missing as ConfigError).source).toBe('flag --config');
  });

  it('says an unreadable file named by STOCK_CRAWLER_CONFIG came from there', async () => {
    const error = await loadConfig({ flags: {}, env: { STOCK_CRAWLER_CONFIG: '/nonexistent/c.yaml' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).source).toBe('env STOCK_CRAWLER_CONFIG');
  });

  it('names the flag the user typed when it is not the key in kebab case', async () => {
    const error = await loadConfig({ flags: { healthTimeoutMs: 'soon' }, env: {} }).catch((e: unknown) => e);
    expect((error as ConfigError).key).toBe('healthTimeoutMs');
    expect((error as ConfigError).source).toBe('flag --timeout');
    const { sources } = await loadConfig({ flags: { healthTimeoutMs: '300' }, env: {} });
    expect(sources.healthTimeoutMs).toBe('flag --timeout');
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

const SENTINEL = 's3cr3t-sentinel';

describe('loadConfig, YAML and JSON files', () => {
  const yaml = [
    '# nightly crawler',
    'databaseUrl: postgres://crawler@db.internal:5432/stocks',
    'barCount: 1500',
    'readyAt: 17:30          # a string in YAML 1.2, not sexagesimal',
    'quiet: yes',
    'shard: 1/4',
    'brokers:',
    '  - name: fubon',
    '    url: http://fubon-ebrokerdj.fbs.com.tw/',
    '  - http://justdata.moneydj.com/',
    'userAgent:              # empty: not set',
    '',
  ].join('\n');

  it.each(['config.yaml', 'config.yml', 'crawler.conf'])('reads YAML from %s', async (name) => {
    const path = await configFile(yaml, name);
    const { config, sources } = await loadConfig({ flags: {}, env: {}, configPath: path });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://crawler@db.internal:5432/stocks',
      barCount: 1500,
      readyAt: '17:30',
      quiet: true,
      shard: '1/4',
      brokers: [{ name: 'fubon', url: 'http://fubon-ebrokerdj.fbs.com.tw/' }, 'http://justdata.moneydj.com/'],
    });
    // Empty means not set: the default holds.
    expect(config.userAgent).toBe(defaultConfig().userAgent);
    expect(sources.userAgent).toBe('default');
    expect(sources.barCount).toBe(`file ${path}`);
  });

  it('reads JSON from a file of any other name', async () => {
    const path = await configFile({ barCount: 42 }, 'crawler.conf');
    expect((await loadConfig({ flags: {}, env: {}, configPath: path })).config.barCount).toBe(42);
  });

  it('treats an empty YAML file as no options', async () => {
    const path = await configFile('# nothing yet\n', 'empty.yaml');
    const { config } = await loadConfig({ flags: {}, env: {}, configPath: path });
    expect(config.barCount).toBe(2880);
  });

  it('layers defaults < YAML file < environment < flags, key by key', async () => {
    const path = await configFile('barCount: 100\nspacingMs: 50\nconcurrency: 4\nperMirror: 3\n', 'layers.yaml');
    const { config, sources } = await loadConfig({
      flags: { concurrency: '8' },
      env: { STOCK_CRAWLER_SPACING_MS: '75', STOCK_CRAWLER_CONCURRENCY: '6' },
      configPath: path,
    });
    expect([config.maxAttempts, sources.maxAttempts]).toEqual([8, 'default']);
    expect([config.barCount, sources.barCount]).toEqual([100, `file ${path}`]);
    expect([config.perMirror, sources.perMirror]).toEqual([3, `file ${path}`]);
    expect([config.spacingMs, sources.spacingMs]).toEqual([75, 'env STOCK_CRAWLER_SPACING_MS']);
    expect([config.concurrency, sources.concurrency]).toEqual([8, 'flag --concurrency']);
  });

  it('takes parserThreads 0 (parse on the main thread) and refuses a negative count', async () => {
    const { config } = await loadConfig({ flags: {}, env: { STOCK_CRAWLER_PARSER_THREADS: '0' } });
    expect(config.parserThreads).toBe(0);
    await expect(loadConfig({ flags: {}, env: { STOCK_CRAWLER_PARSER_THREADS: '-1' } })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });

  it('names the key and the file of a bad value in YAML', async () => {
    const path = await configFile('barCount: -5\n', 'bad.yaml');
    const error = await loadConfig({ flags: {}, env: {}, configPath: path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('barCount');
    expect((error as ConfigError).source).toBe(`file ${path}`);
  });

  it('refuses an unknown key in YAML, suggesting the one meant', async () => {
    const path = await configFile('barCount: 5\nconcurency: 4\n', 'typo.yml');
    const error = await loadConfig({ flags: {}, env: {}, configPath: path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('concurency');
    expect((error as ConfigError).source).toBe(`file ${path}`);
    expect((error as ConfigError).message).toContain('concurrency');
  });

  it('refuses YAML that is not a mapping, or has a key twice', async () => {
    for (const text of ['- barCount: 5\n', 'just words\n', 'barCount: 5\nbarCount: 6\n']) {
      const path = await configFile(text, 'odd.yaml');
      const error = await loadConfig({ flags: {}, env: {}, configPath: path }).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).source).toBe(`file ${path}`);
    }
  });

  // The line number is the point of the message, so the test reads it; the quoted
  // source line is not there, because that line may hold the password.
  it('names the file and line of a YAML syntax error, without quoting the line', async () => {
    const path = await configFile(`barCount: 5\nbrokers: [a,\n  databaseUrl: postgres://u:${SENTINEL}@h/db: x\n`, 'broken.yaml');
    const error = await loadConfig({ flags: {}, env: {}, configPath: path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).source).toBe(`file ${path}`);
    expect((error as ConfigError).message).toMatch(/YAML at line 3, column \d+/);
    expect((error as ConfigError).message).not.toContain(SENTINEL);
  });

  it('places a JSON syntax error without quoting the file', async () => {
    const path = await configFile(`{"barCount": 5,\n "databaseUrl": "postgres://u:${SENTINEL}@h/db" x}`, 'broken.json');
    const error = await loadConfig({ flags: {}, env: {}, configPath: path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).source).toBe(`file ${path}`);
    expect((error as ConfigError).message).not.toContain(SENTINEL);
  });
});

describe('loadConfig, values checked whatever layer gives them', () => {
  const refusal = async (env: Record<string, string>, flags: Record<string, unknown> = {}): Promise<ConfigError> => {
    const error = await loadConfig({ flags, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  };

  it.each([
    ['an empty flag', { spacingMs: '' }],
    ['blanks', { spacingMs: '  ' }],
    ['hex', { spacingMs: '0x10' }],
    ['a unit', { spacingMs: '5 ms' }],
    ['true', { spacingMs: true }],
    ['a list', { spacingMs: [5] }],
    ['infinity', { spacingMs: '1e999' }],
  ])('refuses %s for a number instead of reading it as one', async (_what, flags) => {
    const error = await refusal({}, flags);
    expect(error.key).toBe('spacingMs');
    expect(error.source).toBe('flag --spacing-ms');
  });

  it('reads decimal numbers as people write them', async () => {
    const { config } = await loadConfig({ flags: { spacingMs: ' 250 ', circuitRatio: '.75', barCount: '1e3' }, env: {} });
    expect([config.spacingMs, config.circuitRatio, config.barCount]).toEqual([250, 0.75, 1000]);
  });

  it('quotes the value it refuses, on one line', async () => {
    const error = await refusal({ STOCK_CRAWLER_CONCURRENCY: 'lots\nof' });
    expect(error.message).toBe('concurrency (from env STOCK_CRAWLER_CONCURRENCY): Invalid input: expected number, received string (got "lots\\nof")');
  });

  it.each(['3/2', '2/2', '0/0', '0/10001'])('refuses the shard %s', async (shard) => {
    const error = await refusal({ STOCK_CRAWLER_SHARD: shard });
    expect(error.key).toBe('shard');
    expect(error.message).toContain(`(got "${shard}")`);
  });

  it('refuses half of an Indexed Job shard', async () => {
    expect((await refusal({ JOB_COMPLETION_INDEX: '1' })).message).toMatch(/JOB_COMPLETIONS is not set/);
    expect((await refusal({ JOB_COMPLETIONS: '4' })).message).toMatch(/JOB_COMPLETION_INDEX is not set/);
    // An explicit shard makes the job's variables irrelevant.
    expect((await loadConfig({ flags: { shard: '0/2' }, env: { JOB_COMPLETION_INDEX: '1' } })).config.shard).toBe('0/2');
  });

  it.each<Record<string, string>>([
    { JOB_COMPLETION_INDEX: '4', JOB_COMPLETIONS: '4' },
    { JOB_COMPLETION_INDEX: 'x', JOB_COMPLETIONS: '4' },
    { JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '0' },
  ])('refuses an Indexed Job shard out of range or not a number: %j', async (env) => {
    const error = await refusal(env);
    expect(error.key).toBe('shard');
    expect(error.source).toBe('env JOB_COMPLETION_INDEX');
  });

  it('refuses a mirror list the crawler could not use, for every command alike', async () => {
    const error = await refusal({ BROKER_URLS: 'a=http://a.example/,a=http://b.example/' });
    expect(error.key).toBe('brokers');
    expect(error.message).toMatch(/used twice/);
  });

  it('refuses a database URL that is none, never quoting it', async () => {
    for (const url of [`mysql://u:${SENTINEL}@db/stocks`, `postgres://u:${SENTINEL}@db:port/stocks`, `host=db password=${SENTINEL}`]) {
      const error = await refusal({ DATABASE_URL: url });
      expect(error.key).toBe('databaseUrl');
      expect(error.message).not.toContain(SENTINEL);
    }
    const { config } = await loadConfig({ flags: {}, env: { DATABASE_URL: 'postgresql:///stocks?host=/run/postgresql' } });
    expect(config.databaseUrl).toBe('postgresql:///stocks?host=/run/postgresql');
  });

  it('masks credentials in a value it quotes', async () => {
    const error = await refusal({ STOCK_CRAWLER_PUSHGATEWAY: `push.example with http://ops:${SENTINEL}@x` });
    expect(error.key).toBe('pushgateway');
    expect(error.message).not.toContain(SENTINEL);
  });
});
