/**
 * Single-thread throughput of the parser on a 6-section 1,440-bar body: 15 samples of
 * 200 parses after a second of warm-up, in MB/s (10^6 bytes). The warm-up is timed, not
 * counted: V8 compiles the optimised parser on a background thread, and on a busy
 * machine 300 parses were over before it was installed (the first samples ran at a
 * quarter of the later ones). Run as its own process by bench.ts
 * (`node --import tsx test/bench/parser-throughput.ts <last day>`, one JSON line out):
 * measured inside the bench's process it would share that heap, and the collector's
 * pauses over the bench's own data showed up as a parser half as fast.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { benchHistory, djbcdBody, weekdaysEnding } from './bench-history.js';

export interface ParserThroughput {
  bytes: number;
  median_mb_s: number;
  samples_mb_s: number[];
}

const WARM_UP_MS = 1_000;

export function measureParser(days: readonly string[]): ParserThroughput {
  const body = Buffer.from(djbcdBody(benchHistory('2330', days), 1440), 'latin1');
  const parse = (): number => parseDjbcd(body).count;
  const warmUntil = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUntil) parse();
  const samples: number[] = [];
  for (let sample = 0; sample < 15; sample += 1) {
    const started = performance.now();
    for (let i = 0; i < 200; i += 1) parse();
    samples.push((body.length * 200) / 1e6 / ((performance.now() - started) / 1000));
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { bytes: body.length, median_mb_s: Number((sorted[7] as number).toFixed(1)), samples_mb_s: samples.map((s) => Number(s.toFixed(1))) };
}

/** This file in a process of its own (see above), on the bench's trading days ending at `lastDay`. */
export async function measureParserApart(root: string, lastDay: string): Promise<ParserThroughput> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), lastDay], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`parser-throughput exited ${code}`);
  return JSON.parse(out) as ParserThroughput;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lastDay = process.argv[2] ?? new Date().toISOString().slice(0, 10);
  process.stdout.write(`${JSON.stringify(measureParser(weekdaysEnding(lastDay, 1441)))}\n`);
}
