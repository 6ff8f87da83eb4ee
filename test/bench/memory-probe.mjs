/**
 * Loaded into the crawler's process by the bench (`node --import <this file>`) on the
 * runs that say where memory goes, never on the timed ones: every 20 ms it samples
 * process.memoryUsage(), it counts collections, and after each major collection it reads
 * the heap left in use (the live set, read when the observer is called, just after the
 * collection); at exit it writes one JSON document to BENCH_MEMORY_PROBE_FILE.
 * Worker threads inherit --import and load it too; there it does nothing.
 */
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_MEMORY_PROBE_FILE;

if (isMainThread && file) {
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  let atPeakRss = null;
  const gc = { major: 0, minor: 0, incremental: 0, weakcb: 0, pause_ms: 0, live_after_major_max: 0, live_after_major_last: 0 };
  let samples = 0;

  const spaces = () => Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
  const sample = () => {
    const usage = process.memoryUsage();
    samples += 1;
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], usage[key]);
    if (atPeakRss === null || usage.rss > atPeakRss.rss) atPeakRss = { ...usage, spaces: spaces() };
  };

  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind;
      gc.pause_ms += entry.duration;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major += 1;
        const live = getHeapStatistics().used_heap_size;
        gc.live_after_major_last = live;
        gc.live_after_major_max = Math.max(gc.live_after_major_max, live);
      } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) gc.incremental += 1;
      else gc.weakcb += 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  setInterval(sample, 20).unref();
  sample();

  process.on('exit', () => {
    sample();
    const heap = getHeapStatistics();
    const report = {
      samples,
      peak,
      at_peak_rss: atPeakRss,
      gc,
      heap_size_limit: heap.heap_size_limit,
      max_rss_resource_usage_kb: process.resourceUsage().maxRSS,
    };
    writeFileSync(file, JSON.stringify(report));
  });
}
