import { describe, expect, it } from 'vitest';
import { memoryRow } from './memory-breakdown.js';
import type { ProbeReport } from './time-cli.js';

const MB = 1048576;

const probe: ProbeReport = {
  samples: 100,
  peak: { rss: 150 * MB, heapTotal: 60 * MB, heapUsed: 45 * MB, external: 12 * MB, arrayBuffers: 8 * MB },
  at_peak_rss: { rss: 150 * MB, heapTotal: 55 * MB, heapUsed: 40 * MB, external: 10 * MB, arrayBuffers: 6 * MB, spaces: { new_space: 32 * MB } },
  gc: { major: 3, minor: 20, incremental: 3, weakcb: 0, pause_ms: 50, live_after_major_max: 20 * MB, live_after_major_last: 18 * MB },
  heap_size_limit: 4096 * MB,
  max_rss_resource_usage_kb: 150 * 1024,
};

describe('memoryRow', () => {
  it('splits the peak sample into heap, buffers, other external memory and the rest', () => {
    const row = memoryRow({
      scenario: 'backfill',
      peakRssMb: 148,
      probeRssMb: 151,
      noWorkerRssMb: 125.5,
      bareNodeMb: 38,
      versionMb: 45,
      memory: { loaded_rss_mb: 82, database_client: { kind: 'postgres', connections: 10, rss_before: 100 * MB, rss_after: 101.5 * MB, relation_total: 0 } },
      probe,
    });
    expect(row).toMatchObject({
      peak_rss: 148,
      node: 38,
      cli_version: 45,
      node_code_db: 82,
      parser_worker: 25.5,
      database_client: 1.5,
      buffers: 6,
      native: 4,
      heap_total: 55,
      heap_used: 40,
      new_space: 32,
      live_heap: 20,
      garbage: 25,
      other: 85,
      major_gcs: 3,
      minor_gcs: 20,
      heap_limit: 4096,
    });
  });

  it('leaves out what was not measured, and the live heap when no major collection ran', () => {
    const row = memoryRow({ scenario: 'x', peakRssMb: 90, probeRssMb: null, noWorkerRssMb: 80, bareNodeMb: 38, versionMb: 45, memory: null, probe: { ...probe, gc: { ...probe.gc, major: 0 } } });
    expect(row.parser_worker).toBeNull();
    expect(row.node_code_db).toBeNull();
    expect(row.database_client).toBeNull();
    expect(row.live_heap).toBeNull();
    expect(row.garbage).toBeNull();
    expect(row.heap_total).toBe(55);
  });

  it('reads an external count below the ArrayBuffers count as no other external memory', () => {
    const atPeak = { ...probe.at_peak_rss!, external: 5 * MB, arrayBuffers: 6 * MB };
    const row = memoryRow({ scenario: 'x', peakRssMb: 90, probeRssMb: 90, noWorkerRssMb: 80, bareNodeMb: 38, versionMb: 45, memory: null, probe: { ...probe, at_peak_rss: atPeak } });
    expect(row.native).toBe(0);
    expect(row.buffers).toBe(6);
  });
});
