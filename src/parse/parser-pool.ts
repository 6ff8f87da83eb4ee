import type { Piscina } from 'piscina';
import { CrawlerError, FormatError } from '../errors.js';
import type { DailySeries } from '../core/daily-series.js';
import { workerEntry } from '../worker-entry.js';
import { parseDjbcd } from './parse-djbcd.js';
import type { ParseTask, ParseTaskResult } from './parse-worker.js';

/** Parses djbcd payloads; see {@link createParserPool} and {@link createInlineParser}. */
export interface Parser {
  /**
   * Parses one payload. Rejects with a {@link FormatError} for a bad payload.
   * A pool parser takes ownership of `bytes`: unless it is a view on part of a larger
   * or shared buffer (then it is copied), its buffer is transferred to the worker and
   * ends up detached (length 0). Do not read `bytes` after the call.
   */
  parse(bytes: Uint8Array, charset?: string): Promise<DailySeries>;
  /** Releases the threads, if any. Pending and later parses are rejected. */
  close(): Promise<void>;
}

/** Options for {@link createParserPool}. */
export interface ParserPoolOptions {
  /** Worker threads (the parserThreads setting). */
  threads: number;
  /** How long an idle worker lives before it exits, in ms; default 2,000. */
  idleTimeoutMs?: number;
  /**
   * Payloads smaller than this are parsed on the calling thread; default 16 KiB. A
   * nightly payload of a few bars parses in microseconds, while the hop to a worker
   * and back costs about a tenth of a millisecond.
   */
  inlineBelowBytes?: number;
}

const DEFAULT_INLINE_BELOW_BYTES = 16 * 1024;

/**
 * A Piscina pool of parse workers. Create one per process and `close()` it in a
 * `finally`. The pool itself (and the piscina module) is made at the first payload
 * worth a worker: a nightly run, all small payloads, never loads it. Workers start on
 * demand and exit when idle, so an idle pool never keeps the process alive.
 */
export function createParserPool(options: ParserPoolOptions): Parser {
  const threads = options.threads;
  let pool: Promise<Piscina<ParseTask, ParseTaskResult>> | undefined;
  const startPool = async (): Promise<Piscina<ParseTask, ParseTaskResult>> => {
    const { Piscina } = await import('piscina');
    const entry = workerEntry(import.meta.url, 'parse-worker');
    return new Piscina<ParseTask, ParseTaskResult>({
      filename: entry.filename.href,
      ...(entry.execArgv === undefined ? {} : { execArgv: entry.execArgv }),
      minThreads: 0,
      maxThreads: Math.max(1, threads),
      idleTimeout: options.idleTimeoutMs ?? 2_000,
    });
  };
  const inlineBelow = options.inlineBelowBytes ?? DEFAULT_INLINE_BELOW_BYTES;
  let closed = false;
  return {
    async parse(bytes, charset) {
      // Piscina would quietly start new workers after destroy(): a late parse is a bug.
      if (closed) throw new CrawlerError('E_INTERNAL', 'the parser pool is closed');
      if (bytes.byteLength < inlineBelow) return parseDjbcd(bytes, charset === undefined ? {} : { charset });
      const owned = ownedBytes(bytes);
      const task: ParseTask = charset === undefined ? { bytes: owned } : { bytes: owned, charset };
      pool ??= startPool();
      const workers = await pool;
      if (closed) throw new CrawlerError('E_INTERNAL', 'the parser pool is closed');
      const result = await workers.run(task, { transferList: [owned.buffer as ArrayBuffer] });
      if (!result.ok) {
        const { reason, message, section, excerpt } = result.error;
        throw new FormatError(reason, message, section === undefined ? { excerpt } : { section, excerpt });
      }
      return { count: result.count, sections: result.sections, values: result.values };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (pool !== undefined) await (await pool).destroy();
    },
  };
}

/** A {@link Parser} on the calling thread: for tiny runs, and to compare in benchmarks. */
export function createInlineParser(): Parser {
  return {
    parse: async (bytes, charset) => parseDjbcd(bytes, charset === undefined ? {} : { charset }),
    close: async () => {},
  };
}

/**
 * The bytes in a buffer of their own, so transferring it detaches nothing else:
 * a view on part of a larger buffer (Node's pooled Buffers) or on shared memory is copied.
 */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  if (whole && bytes.buffer instanceof ArrayBuffer) return bytes;
  // Not bytes.slice(): on a Buffer that is a view, not a copy.
  return new Uint8Array(bytes);
}
