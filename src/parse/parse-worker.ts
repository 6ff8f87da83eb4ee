import { move, transferableSymbol, valueSymbol } from 'piscina';
import { FormatError, type FormatReason } from '../errors.js';
import { parseDjbcd } from './parse-djbcd.js';

/** One payload to parse; `bytes` arrives by transfer. */
export interface ParseTask {
  bytes: Uint8Array;
  /** The charset the server declared, for readable excerpts. */
  charset?: string;
}

/**
 * The worker's answer. A FormatError travels as plain data: thrown objects lose
 * their class crossing threads, so the pool rebuilds the error on its side.
 */
export type ParseTaskResult =
  | { ok: true; count: number; sections: number; values: Float64Array }
  | { ok: false; error: { reason: FormatReason; section: string | undefined; excerpt: string; message: string } };

/**
 * Piscina entry point: parses one payload and nothing else. A successful result
 * is wrapped so Piscina transfers `values.buffer` instead of copying it (Piscina
 * only looks for transferables at the top level of a returned value).
 */
export default function parseTask(task: ParseTask): ParseTaskResult | ReturnType<typeof move> {
  let result: ParseTaskResult;
  try {
    const series = parseDjbcd(task.bytes, task.charset === undefined ? {} : { charset: task.charset });
    result = { ok: true, count: series.count, sections: series.sections, values: series.values };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return {
      ok: false,
      error: { reason: error.reason, section: error.section, excerpt: error.excerpt, message: error.message },
    };
  }
  const buffer = result.values.buffer;
  return move({
    get [transferableSymbol]() {
      return buffer;
    },
    get [valueSymbol]() {
      return result;
    },
  });
}
