/**
 * Parser throughput on one thread, and the worker pool against in-thread parsing:
 *
 *     npx tsx test/bench/parse-bench.ts [--samples 20] [--parses 200] [--payloads 400] [--threads 2]
 *
 * Prints one JSON document. `single_thread` is parseDjbcd over the 1,440-bar six-section
 * fixture, in MB/s (10^6 bytes), median and spread over `samples` timed batches of
 * `parses` parses each; `naive` is a split-and-map parser measured the same way in
 * the same process, as the yardstick the target is stated against. `pool` runs the
 * same `payloads` count through the inline parser and through the Piscina pool, for
 * full payloads and for 4-bar ones, where the thread hop is most of the cost: all at
 * once (`payloads_s`, `mb_s`: what a batch sees) and one at a time
 * (`us_each_sequential`: the latency of one parse; `hop_overhead_us` is the pool's extra).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDjbcd } from '../../src/parse/parse-djbcd.js';
import { createInlineParser, createParserPool, type Parser } from '../../src/parse/parser-pool.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '20' },
    parses: { type: 'string', default: '200' },
    payloads: { type: 'string', default: '400' },
    threads: { type: 'string', default: '2' },
  },
});
const SAMPLES = Number(args.samples);
const PARSES = Number(args.parses);
const PAYLOADS = Number(args.payloads);
const THREADS = Number(args.threads);

const full = new Uint8Array(readFileSync(new URL('../../fixtures/gregorian-6-sections.djbcd', import.meta.url)));
const small = firstBars(full, 4);

/** The same payload cut to its first `count` bars in every section. */
function firstBars(bytes: Uint8Array, count: number): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  const cut = text
    .split(' ')
    .map((section) => section.split(',').slice(0, count).join(','))
    .join(' ');
  return new Uint8Array(Buffer.from(cut, 'latin1'));
}

/** What one would write first: decode, split, map Number. Columns as parseDjbcd lays them out. */
function naiveParse(bytes: Uint8Array): Float64Array {
  const sections = new TextDecoder().decode(bytes).trim().split(/\s+/);
  const dates = sections[0]!.split(',');
  const count = dates.length;
  const values = new Float64Array(count * 6);
  dates.forEach((date, i) => (values[i] = Number(date.replaceAll('/', ''))));
  for (let s = 1; s < 6; s++) {
    sections[s]!.split(',').map(Number).forEach((value, i) => (values[s * count + i] = value));
  }
  return values;
}

/** Keeps results observable so the optimiser cannot drop the work. */
let sink = 0;

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

interface Throughput {
  median_mb_s: number;
  p10: number;
  p90: number;
  /** The same batches timed in CPU time: less swayed by other processes on a shared machine. */
  cpu_median_mb_s: number;
  samples: number;
  bytes: number;
}

/** MB/s over `SAMPLES` batches of `PARSES` parses, after a warm-up batch. */
function throughput(parse: (bytes: Uint8Array) => number): Throughput {
  for (let i = 0; i < PARSES; i++) sink += parse(full); // warm-up: let the JIT settle
  const rates: number[] = [];
  const cpuRates: number[] = [];
  const batchMb = (full.length * PARSES) / 1e6;
  for (let s = 0; s < SAMPLES; s++) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < PARSES; i++) sink += parse(full);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { user, system } = process.cpuUsage(cpu);
    rates.push(batchMb / seconds);
    cpuRates.push(batchMb / ((user + system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  cpuRates.sort((a, b) => a - b);
  return {
    median_mb_s: round(quantile(rates, 0.5)),
    p10: round(quantile(rates, 0.1)),
    p90: round(quantile(rates, 0.9)),
    cpu_median_mb_s: round(quantile(cpuRates, 0.5)),
    samples: SAMPLES,
    bytes: full.length,
  };
}

const ROUNDS = 5;

/**
 * Parses `PAYLOADS` fresh copies (the pool detaches what it is given) all at once, and
 * one at a time; the median of `ROUNDS` rounds of each.
 */
async function throughParser(parser: Parser, payload: Uint8Array): Promise<{ payloads_s: number; mb_s: number; us_each_sequential: number }> {
  const copies = () => Array.from({ length: PAYLOADS }, () => new Uint8Array(payload));
  await Promise.all(copies().slice(0, 50).map((bytes) => parser.parse(bytes))); // warm-up: start workers, JIT
  const concurrent: number[] = [];
  const sequential: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let batch = copies();
    let started = performance.now();
    sink += (await Promise.all(batch.map((bytes) => parser.parse(bytes)))).length;
    concurrent.push(performance.now() - started);
    batch = copies();
    started = performance.now();
    for (const bytes of batch) sink += (await parser.parse(bytes)).count;
    sequential.push(performance.now() - started);
  }
  const concurrentMs = quantile(concurrent.sort((a, b) => a - b), 0.5);
  const sequentialMs = quantile(sequential.sort((a, b) => a - b), 0.5);
  return {
    payloads_s: Math.round(PAYLOADS / (concurrentMs / 1000)),
    mb_s: round((PAYLOADS * payload.length) / (concurrentMs / 1000) / 1e6),
    us_each_sequential: round((sequentialMs * 1000) / PAYLOADS),
  };
}

async function poolAgainstInline(payload: Uint8Array): Promise<Record<string, unknown>> {
  const inline = await throughParser(createInlineParser(), payload);
  const pool = createParserPool({ threads: THREADS });
  try {
    const pooled = await throughParser(pool, payload);
    return {
      bars: parseDjbcd(payload).count,
      bytes: payload.length,
      inline,
      pool: pooled,
      hop_overhead_us: round(pooled.us_each_sequential - inline.us_each_sequential),
    };
  } finally {
    await pool.close();
  }
}

const single = throughput((bytes) => parseDjbcd(bytes).count);
const naive = throughput((bytes) => naiveParse(bytes).length);
const report = {
  single_thread: single,
  naive,
  ratio: round(single.median_mb_s / naive.median_mb_s, 2),
  pool: {
    threads: THREADS,
    payloads: PAYLOADS,
    full: await poolAgainstInline(full),
    small: await poolAgainstInline(small),
  },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (sink === 0) process.stderr.write('parse-bench: the parsers returned nothing\n');
