import type { Readable } from 'node:stream';

/**
 * Reads a body stream into one exact-size Uint8Array that owns its ArrayBuffer (so it
 * can be transferred to a worker thread). Stops and destroys the stream as soon as more
 * than `maxBytes` arrived (throwing `tooLarge()`), so an oversized body is never held whole.
 */
export async function readBounded(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      dropBody(body);
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Drains a body we do not want (an error page) so the socket can go back to the pool,
 * reading at most `limit` bytes before giving the socket up instead. Never throws:
 * the status line already said what happened.
 */
export async function discardBody(body: { dump(opts: { limit: number }): Promise<void> }, limit: number): Promise<void> {
  try {
    await body.dump({ limit });
  } catch {
    // A reset while draining changes nothing about the answer we already have.
  }
}

/**
 * Gives up a body without reading it; undici then closes the socket. Destroying an
 * unfinished undici body emits an AbortError, which nobody is left to listen for.
 */
export function dropBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
