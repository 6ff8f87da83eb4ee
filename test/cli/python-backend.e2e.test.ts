import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { createPgliteDir } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const DRIVER = fileURLToPath(new URL('../support/python_backend_driver.py', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));

/** The README's Python client, exactly as an operator would copy it. */
async function readmeClient(): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const block = /```python\n([\s\S]*?)```/.exec(readme);
  if (!block?.[1]) throw new Error('README has no python block');
  return block[1];
}

describe('the Python backend, through the README client', () => {
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };
  let clientDir: string;

  beforeAll(async () => {
    const lastSession = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
    farm = await startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: lastSession });
    dataDir = await createPgliteDir({ initialized: true });
    clientDir = await mkdtemp(join(tmpdir(), 'crawler-client-'));
    await writeFile(join(clientDir, 'crawler_client.py'), await readmeClient());
  });
  afterAll(async () => {
    await farm?.close();
    await dataDir?.remove();
    await rm(clientDir, { recursive: true, force: true });
  });

  it('fetches, updates, reads history and health, and falls back when the binary is missing or slow', async () => {
    const child = spawn('python3', [DRIVER, clientDir, process.execPath, BIN], {
      env: {
        PATH: process.env.PATH ?? '',
        BROKER_URLS: farm.brokers,
        STOCK_CRAWLER_DATA_DIR: dataDir.dir,
        STOCK_CRAWLER_SPACING_MS: '0',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(output).toContain('all checks passed');
    expect(code, output).toBe(0);
  }, 120_000);
});
