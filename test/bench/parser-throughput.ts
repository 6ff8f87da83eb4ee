import { Buffer } from 'node:buffer';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { benchHistory, djbcdBody } from './bench-history.js';

/**
 * Single-thread throughput of the parser on a 6-section 1,440-bar body: 15 samples
 * of 200 parses after a warm-up, in MB/s (10^6 bytes).
 */
export async function measureParser(days: readonly string[]): Promise<{ bytes: number; median_mb_s: number; samples_mb_s: number[] }> {
  const body = Buffer.from(djbcdBody(benchHistory('2330', days), 1440), 'latin1');
  const parse = (): number => parseDjbcd(body).count;
  for (let i = 0; i < 300; i += 1) parse();
  const samples: number[] = [];
  for (let sample = 0; sample < 15; sample += 1) {
    const started = performance.now();
    for (let i = 0; i < 200; i += 1) parse();
    samples.push((body.length * 200) / 1e6 / ((performance.now() - started) / 1000));
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { bytes: body.length, median_mb_s: Number((sorted[7] as number).toFixed(1)), samples_mb_s: samples.map((s) => Number(s.toFixed(1))) };
}
