import { open, readFile, rename, unlink } from 'node:fs/promises';
import { METRIC } from './metric-names.js';

/**
 * Writes `text` to `path` for node_exporter's textfile collector, atomically: the bytes go
 * to `path.tmp-<pid>` in the same directory (same file system, so rename is atomic; the
 * collector only reads `*.prom`, so it never sees the temporary file), are flushed to disk,
 * and are renamed over `path`. A reader sees the old file or the new one, never half of it;
 * a failed write leaves the old file as it was and removes the temporary one. A missing
 * directory is an error, not created: the collector reads one configured directory, and a
 * directory made up by a typo would hide the mistake.
 */
export async function writeMetricsFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    const handle = await open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // Nothing to remove if it was never created, or if the name was taken by something else.
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * The last-success time an earlier run left in the metrics file (the metric `family`: the
 * crawl's by default, `verify` has its own), in Unix seconds; undefined when there is no
 * file or it holds none. Other read errors (permissions…) are thrown.
 */
export async function readLastSuccess(path: string, family: string = METRIC.lastSuccess): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const match = new RegExp(`^${family}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'm').exec(text);
  const value = match === null ? Number.NaN : Number(match[1]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
