import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLastSuccess, writeMetricsFile } from '../../src/metrics/textfile.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metrics-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A body of about `bytes`, every line telling which version it belongs to. */
const body = (version: string, bytes: number): string => `# version ${version}\n${`x_${version} 1\n`.repeat(Math.ceil(bytes / 8))}`;

describe('writeMetricsFile', () => {
  it('writes the file whole and leaves no temporary file behind', async () => {
    const path = join(dir, 'stock_crawler.prom');
    await writeMetricsFile(path, 'a_metric 1\n');
    expect(await readFile(path, 'utf8')).toBe('a_metric 1\n');
    expect(await readdir(dir)).toEqual(['stock_crawler.prom']);
    expect((await stat(path)).mode & 0o444).toBe(0o444);
  });

  it('never shows a reader half a file: every read is the old version or the new one, complete', async () => {
    const path = join(dir, 'stock_crawler.prom');
    const before = body('old', 2_000_000);
    const after = body('new', 4_000_000);
    await writeFile(path, before);
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, 'utf8');
        expect(text === before || text === after, `a read of ${text.length} bytes was neither version`).toBe(true);
        seen.add(text === before ? 'old' : 'new');
      }
    })();
    await writeMetricsFile(path, after);
    writing = false;
    await reader;
    expect(seen.has('old')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(after);
  });

  it('leaves the previous file intact when the write fails', async () => {
    const path = join(dir, 'stock_crawler.prom');
    await writeFile(path, 'previous 1\n');
    // The temporary name is taken by a directory: opening it for writing fails (as root too).
    await mkdir(`${path}.tmp-${process.pid}`);
    await expect(writeMetricsFile(path, 'next 2\n')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await readFile(path, 'utf8')).toBe('previous 1\n');
    // What it did not create, it does not remove.
    expect((await stat(`${path}.tmp-${process.pid}`)).isDirectory()).toBe(true);
  });

  it('creates no directory: a missing one is an error', async () => {
    const path = join(dir, 'no-such-dir', 'stock_crawler.prom');
    await expect(writeMetricsFile(path, 'a 1\n')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('readLastSuccess', () => {
  it('reads the last-success time an earlier run wrote, with or without labels', async () => {
    const path = join(dir, 'stock_crawler.prom');
    await writeFile(
      path,
      [
        '# HELP stock_crawler_last_success_timestamp_seconds When a run last succeeded',
        '# TYPE stock_crawler_last_success_timestamp_seconds gauge',
        'stock_crawler_last_success_timestamp_seconds{command="update",shard="all"} 1764064800.5',
        '',
      ].join('\n'),
    );
    expect(await readLastSuccess(path)).toBe(1764064800.5);
    await writeFile(path, 'stock_crawler_last_success_timestamp_seconds 1764064800\n');
    expect(await readLastSuccess(path)).toBe(1764064800);
  });

  it('reads the family it is asked for: verify keeps its own last success apart from the crawl\'s', async () => {
    const path = join(dir, 'stock_crawler_verify.prom');
    await writeFile(path, 'stock_crawler_last_success_timestamp_seconds 1764064800\nstock_crawler_verify_last_success_timestamp_seconds 1764000000\n');
    expect(await readLastSuccess(path, 'stock_crawler_verify_last_success_timestamp_seconds')).toBe(1764000000);
    expect(await readLastSuccess(path)).toBe(1764064800);
  });

  it('finds none in a missing file or a file without one', async () => {
    const path = join(dir, 'stock_crawler.prom');
    expect(await readLastSuccess(path)).toBeUndefined();
    await writeFile(path, 'stock_crawler_run_succeeded{command="update",shard="all"} 0\n');
    expect(await readLastSuccess(path)).toBeUndefined();
  });
});
