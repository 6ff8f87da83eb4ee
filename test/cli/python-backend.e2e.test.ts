import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { openDatabase } from '../../src/db/connection/open-database.js';
import { migrateToLatest } from '../../src/db/schema/migrate.js';
import { createLegacySchema } from '../db/helpers.js';
import { createPgliteDir, createTestDatabase, embeddedBackend, serverBackend, TEST_DATABASE_URL, type TestBackend } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const DRIVER = fileURLToPath(new URL('../support/python_backend_driver.py', import.meta.url));
const LEGACY_FIXTURES = fileURLToPath(new URL('../../fixtures/legacy', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));

/** The symbol the mirrors have no bars for: the old service's failure. */
const NO_DATA_SYMBOL = '9998';

/** The README's Python client, exactly as an operator would copy it. */
async function readmeClient(): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const block = /```python\n([\s\S]*?)```/.exec(readme);
  if (!block?.[1]) throw new Error('README has no python block');
  return block[1];
}

/** Where the CLI finds its database: the environment it runs with, and how to remove the database. */
interface Target {
  env: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * A fresh database. `backend`: the Python backend's own tables (legacy-schema.md), adopted
 * by the crawler, as on the backend's server; `crawler`: a fresh embedded install, whose
 * tables the crawler creates.
 */
async function freshTarget(backend: TestBackend, tables: 'backend' | 'crawler'): Promise<Target> {
  if (backend.kind === 'postgres') {
    const database = await createTestDatabase();
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    try {
      if (tables === 'backend') await createLegacySchema(handle.db);
      await migrateToLatest(handle.db);
    } finally {
      await handle.close();
    }
    return { env: { DATABASE_URL: database.url }, remove: database.drop };
  }
  const { dir, remove } = await createPgliteDir({ initialized: true });
  if (tables === 'backend') {
    // The CLI migrates the embedded database itself, adopting these tables.
    const handle = await openDatabase({ dataDir: dir, migrateEmbedded: false });
    try {
      await createLegacySchema(handle.db);
    } finally {
      await handle.close();
    }
  }
  return { env: { STOCK_CRAWLER_DATA_DIR: dir }, remove };
}

/** Runs the driver; resolves with its exit code and everything it printed. */
async function runDriver(clientDir: string, taskIdType: 'int' | 'str', env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn('python3', [DRIVER, clientDir, LEGACY_FIXTURES, taskIdType, process.execPath, BIN], { env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

/**
 * Two installs: the Python backend's own tables, adopted (there the old task_id, an int, comes
 * from its task_execution_logs) — on the PostgreSQL server when there is one, as the backend
 * runs, else embedded — and a fresh embedded install, whose tables the crawler creates
 * (task_id is the run id, a string).
 */
const SCENARIOS: ReadonlyArray<{ backend: TestBackend; tables: 'backend' | 'crawler'; taskIdType: 'int' | 'str' }> = [
  { backend: TEST_DATABASE_URL ? serverBackend : embeddedBackend, tables: 'backend', taskIdType: 'int' },
  { backend: embeddedBackend, tables: 'crawler', taskIdType: 'str' },
];

for (const { backend, tables, taskIdType } of SCENARIOS) {
  backend.describe(`the Python backend, through the README client, both shapes [${backend.kind}, ${tables} tables]`, () => {
    let farm: MirrorFarm;
    let target: Target;
    let clientDir: string;

    beforeAll(async () => {
      const lastSession = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
      // Short histories keep the run quick; the old documents' keys do not depend on their length.
      farm = await startMirrorFarm({ behaviours: ['ok', 'ok'], lastDay: lastSession, firstDay: '2024-01-01', unknownSymbols: [NO_DATA_SYMBOL] });
      target = await freshTarget(backend, tables);
      clientDir = await mkdtemp(join(tmpdir(), 'crawler-client-'));
      await writeFile(join(clientDir, 'crawler_client.py'), await readmeClient());
    });
    afterAll(async () => {
      await farm?.close();
      await target?.remove();
      if (clientDir !== undefined) await rm(clientDir, { recursive: true, force: true });
    });

    it('prints the old documents exactly with --shape legacy, and every old key with its old type by default', async () => {
      const { code, output } = await runDriver(clientDir, taskIdType, { ...target.env, BROKER_URLS: farm.brokers, STOCK_CRAWLER_SPACING_MS: '0' });
      expect(output).toContain('all checks passed');
      expect(code, output).toBe(0);
    }, 240_000);
  });
}

describe('the Python client block', () => {
  it('is the one python block of the README, so the test runs what an operator copies', async () => {
    const readme = await readFile(README, 'utf8');
    expect(readme.match(/```python\n/g)?.length).toBe(1);
    expect(await readmeClient()).toContain('class CrawlerClient');
  });
});
