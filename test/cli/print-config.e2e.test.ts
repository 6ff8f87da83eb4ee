import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, singleJson } from '../support/run-cli.js';

describe('stock-crawler --print-config', () => {
  it('prints the effective configuration and its sources, the password masked', async () => {
    const run = await runCli(['--print-config', '--log-level', 'warn'], {
      env: { DATABASE_URL: 'postgres://crawler:s3cr3t-sentinel@db.internal/stocks', STOCK_CRAWLER_SPACING_MS: '500' },
    });
    expect(run.code, run.stderr).toBe(0);
    const printed = singleJson(run.stdout) as { config: Record<string, unknown>; sources: Record<string, string> };
    expect(printed.config.databaseUrl).toBe('postgres://crawler:***@db.internal/stocks');
    expect(printed.config.spacingMs).toBe(500);
    expect(printed.sources.spacingMs).toBe('env STOCK_CRAWLER_SPACING_MS');
    expect(printed.sources.barCount).toBe('default');
    expect(printed.config.logLevel).toBe('warn');
    expect(printed.sources.logLevel).toBe('flag --log-level');
    expect(run.stdout + run.stderr).not.toContain('s3cr3t-sentinel');
  });

  it('works after a command too, without running it', async () => {
    const run = await runCli(['update', '--symbols', '2330', '--concurrency', '32', '--print-config'], { env: { BROKER_URLS: 'http://127.0.0.1:1/' } });
    expect(run.code).toBe(0);
    const printed = singleJson(run.stdout) as { config: Record<string, unknown>; sources: Record<string, string> };
    expect(printed.config.brokers).toBe('http://127.0.0.1:1/');
    expect(printed.config.concurrency).toBe(32);
    expect(printed.sources.concurrency).toBe('flag --concurrency');
  });

  it('reads a YAML config file, and names the line of a broken one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-print-config-'));
    try {
      const good = join(dir, 'crawler.yaml');
      await writeFile(good, '# nightly\nspacingMs: 350\nbrokers: http://127.0.0.1:1/\n');
      const run = await runCli(['--print-config', '--config', good]);
      expect(run.code, run.stderr).toBe(0);
      const printed = singleJson(run.stdout) as { config: Record<string, unknown>; sources: Record<string, string> };
      expect(printed.config.spacingMs).toBe(350);
      expect(printed.sources.spacingMs).toBe(`file ${good}`);

      const broken = join(dir, 'broken.yml');
      await writeFile(broken, 'spacingMs: [\n');
      const failed = await runCli(['--print-config', '--config', broken]);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(/not valid YAML at line 2, column 1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shows the usage when no command is given', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: stock-crawler/);
  });
});
