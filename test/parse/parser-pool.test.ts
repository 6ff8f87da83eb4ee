import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as srcErrors from '../../src/errors.js';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import * as srcPool from '../../src/parse/parser-pool.js';
import type { Parser } from '../../src/parse/parser-pool.js';
import { readFixture } from '../support/fixtures.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DIST_POOL = new URL('../../dist/parse/parser-pool.js', import.meta.url);
const DIST_ERRORS = new URL('../../dist/errors.js', import.meta.url);

/** A fresh Uint8Array over its own buffer, as a mirror client would hand over. */
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFixture(name));

type PoolModule = typeof srcPool;
type ErrorsModule = typeof srcErrors;

/** The same checks against the pool as vitest runs it (.ts + tsx) and as built (dist/, plain .js). */
function poolSuite(name: string, load: () => Promise<{ pool: PoolModule; errors: ErrorsModule }>): void {
  describe(name, () => {
    let parser: Parser;
    let errors: ErrorsModule;

    beforeAll(async () => {
      const loaded = await load();
      errors = loaded.errors;
      // Every payload to a worker, however small: these tests are about the worker path.
      parser = loaded.pool.createParserPool({ threads: 2, inlineBelowBytes: 0 });
    });
    afterAll(async () => {
      await parser.close();
    });

    it('parses in a worker thread, taking the bytes by transfer', async () => {
      const bytes = fixtureBytes('gregorian-6-sections.djbcd');
      const expected = parseDjbcd(bytes.slice());
      const series = await parser.parse(bytes);
      expect(bytes.byteLength).toBe(0); // detached: the buffer moved to the worker
      expect(series.count).toBe(1440);
      expect(series.sections).toBe(6);
      expect(series.values).toBeInstanceOf(Float64Array);
      expect(Array.from(series.values)).toEqual(Array.from(expected.values));
    });

    it('runs many parses at once on its threads', async () => {
      const names = ['gregorian-6-sections.djbcd', 'unsorted.djbcd', 'roc-slash-dates.djbcd', 'twenty-three-sections.djbcd'];
      const jobs = Array.from({ length: 24 }, (_, i) => names[i % names.length]!);
      const results = await Promise.all(jobs.map((fixture) => parser.parse(fixtureBytes(fixture))));
      results.forEach((series, i) => {
        const expected = parseDjbcd(readFixture(jobs[i]!));
        expect(series.count).toBe(expected.count);
        expect(Array.from(series.values)).toEqual(Array.from(expected.values));
      });
    });

    it('rejects with a real FormatError rebuilt from the worker answer', async () => {
      const page = parser.parse(fixtureBytes('blocked-page-big5.html'), 'big5');
      await expect(page).rejects.toBeInstanceOf(errors.FormatError);
      await expect(page).rejects.toMatchObject({ code: 'E_FORMAT', reason: 'html', section: undefined });
      await expect(page).rejects.toHaveProperty('excerpt', expect.stringContaining('系統忙碌中'));

      const cut = parser.parse(fixtureBytes('truncated.djbcd'));
      await expect(cut).rejects.toBeInstanceOf(errors.CrawlerError);
      await expect(cut).rejects.toMatchObject({ code: 'E_FORMAT', reason: 'truncated', section: 'volumes' });
    });

    it('returns "no data" for an empty body', async () => {
      expect(await parser.parse(fixtureBytes('empty.djbcd'))).toMatchObject({ count: 0, sections: 0 });
    });

    it('copies a view on a larger or shared buffer instead of detaching it', async () => {
      const payload = readFixture('unsorted.djbcd');
      const big = new Uint8Array(payload.length + 64);
      big.set(payload, 32);
      const series = await parser.parse(big.subarray(32, 32 + payload.length));
      expect(big.byteLength).toBe(payload.length + 64);
      expect(series.count).toBe(5);

      const shared = new Uint8Array(new SharedArrayBuffer(payload.length));
      shared.set(payload);
      expect((await parser.parse(shared)).count).toBe(5);
      expect(shared.byteLength).toBe(payload.length);

      const pooled = Buffer.from('2024/01/02 1 2 0.5 1.5 10'); // a slice of Node's shared Buffer pool
      expect((await parser.parse(pooled)).count).toBe(1);
      expect(pooled.toString('latin1')).toBe('2024/01/02 1 2 0.5 1.5 10');
    });
  });
}

poolSuite('createParserPool (src, workers run parse-worker.ts through tsx)', async () => ({
  pool: srcPool,
  errors: srcErrors,
}));

// dist/ exists once `npm run build` has run (`npm test` builds first); without it this half is skipped.
describe.skipIf(!existsSync(DIST_POOL))('compiled build', () => {
  poolSuite('createParserPool (dist, workers run parse-worker.js)', async () => ({
    pool: (await import(DIST_POOL.href)) as PoolModule,
    errors: (await import(DIST_ERRORS.href)) as ErrorsModule,
  }));
});

describe('small payloads', () => {
  it('parses below inlineBelowBytes on the calling thread, and larger ones in a worker', async () => {
    const parser = srcPool.createParserPool({ threads: 1, inlineBelowBytes: 1024 });
    try {
      const small = fixtureBytes('unsorted.djbcd');
      expect(small.byteLength).toBeLessThan(1024);
      expect((await parser.parse(small)).count).toBe(5);
      expect(small.byteLength).toBeGreaterThan(0); // not transferred: parsed here
      const large = fixtureBytes('gregorian-6-sections.djbcd');
      expect((await parser.parse(large)).count).toBe(1440);
      expect(large.byteLength).toBe(0); // transferred to the worker
    } finally {
      await parser.close();
    }
  });

  it('rejects a small broken payload with the same FormatError as a worker would', async () => {
    const parser = srcPool.createParserPool({ threads: 1 });
    try {
      const cut = new TextEncoder().encode('2024/01/02,2024/01/03 1,2 3,4 0.5,1 1,2 10');
      await expect(parser.parse(cut)).rejects.toBeInstanceOf(srcErrors.FormatError);
      await expect(parser.parse(cut)).rejects.toMatchObject({ code: 'E_FORMAT', reason: 'truncated', section: 'volumes' });
      expect(cut.byteLength).toBeGreaterThan(0);
    } finally {
      await parser.close();
    }
  });
});

describe('parser lifecycle', () => {
  it('rejects parses after close()', async () => {
    const parser = srcPool.createParserPool({ threads: 1, inlineBelowBytes: 0 });
    expect((await parser.parse(fixtureBytes('unsorted.djbcd'))).count).toBe(5);
    await parser.close();
    await expect(parser.parse(fixtureBytes('unsorted.djbcd'))).rejects.toMatchObject({ code: 'E_INTERNAL' });
    await parser.close(); // idempotent
  });

  it('lets the process end while the pool is idle, even without close()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parser-pool-'));
    try {
      const script = join(dir, 'idle.mts');
      await writeFile(
        script,
        `import { createParserPool } from ${JSON.stringify(new URL('../../src/parse/parser-pool.ts', import.meta.url).href)};\n` +
          `const parser = createParserPool({ threads: 2, idleTimeoutMs: 60_000, inlineBelowBytes: 0 });\n` +
          `const series = await parser.parse(new TextEncoder().encode('2024/01/02 1 2 0.5 1.5 10'));\n` +
          `process.stdout.write(String(series.count));\n`,
      );
      const started = Date.now();
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
        cwd: REPO,
        timeout: 20_000,
      });
      expect(stdout).toBe('1');
      expect(Date.now() - started).toBeLessThan(15_000); // far below the 60 s idle timeout
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createInlineParser', () => {
  it('parses on the calling thread with the same interface, leaving the bytes alone', async () => {
    const parser = srcPool.createInlineParser();
    const bytes = fixtureBytes('gregorian-6-sections.djbcd');
    expect((await parser.parse(bytes)).count).toBe(1440);
    expect(bytes.byteLength).toBeGreaterThan(0);
    await expect(parser.parse(fixtureBytes('five-sections.djbcd'))).rejects.toMatchObject({
      code: 'E_FORMAT',
      reason: 'too_few_sections',
    });
    await expect(parser.parse(fixtureBytes('five-sections.djbcd'))).rejects.toBeInstanceOf(srcErrors.FormatError);
    await parser.close();
  });
});
