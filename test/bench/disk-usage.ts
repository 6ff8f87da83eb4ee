import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes on disk (allocated blocks, as `du` counts them) of an embedded data directory. */
export interface DataDirUsage {
  total: number;
  /** Under pg_wal/: the write-ahead log. */
  wal: number;
  /** Everything else: tables, indexes, catalogs. */
  rest: number;
}

/** Walks `dir` and splits its size into the WAL and the rest. */
export async function dataDirUsage(dir: string): Promise<DataDirUsage> {
  let total = 0;
  let wal = 0;
  const entries = await readdir(dir, { recursive: true });
  for (const entry of entries) {
    const stats = await lstat(join(dir, entry));
    if (!stats.isFile()) continue;
    const bytes = stats.blocks * 512;
    total += bytes;
    if (entry === 'pg_wal' || entry.startsWith('pg_wal/')) wal += bytes;
  }
  return { total, wal, rest: total - wal };
}
