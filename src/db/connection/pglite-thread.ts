import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../worker-entry.js';
import type { EmbeddedSession, SessionResult } from './embedded-session.js';

/*
 * The embedded database on a thread of its own, for a bulk load. PGlite is PostgreSQL
 * compiled to WebAssembly, and a statement runs to its end without yielding: on the main
 * thread a backfill's COPYs (some 25 s of a 2,000-symbol backfill) stopped every answer,
 * parse hand-off and validation while they ran. On its own thread the database writes
 * while the main thread fetches, as a PostgreSQL server does in its own process.
 */

/** What the worker opens: workerData of pglite-worker.ts. */
export interface WorkerOpen {
  dataDir: string;
  /** Server settings beyond PGlite's own start parameters (`-c name=value`…). */
  settings: string[];
}

/** A request to the worker; `id` pairs it with its reply (0 is the open). */
export type SessionRequest = { id: number } & (
  | { op: 'query'; text: string; parameters: unknown[] | undefined; blob: Uint8Array | undefined }
  | { op: 'exec'; text: string }
  | { op: 'commit' }
  | { op: 'close' }
);

export type SessionReply = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: Record<string, unknown> });

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/**
 * Starts the worker and resolves once PGlite is open in `dataDir`.
 * @throws the open's error (its message and PostgreSQL fields), when PGlite cannot open.
 */
export async function startPgliteThread(open: WorkerOpen): Promise<EmbeddedSession> {
  const entry = workerEntry(import.meta.url, 'pglite-worker');
  const worker =
    entry.execArgv === undefined
      ? new Worker(entry.filename, { workerData: open })
      : // From the sources (tests, tsx): a worker's first module would load before tsx's hooks, so a script registers them first.
        new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(entry.filename.href)}); })`, { eval: true, workerData: open });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: Error | undefined;
  worker.on('message', (reply: SessionReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.value);
    else waiter?.reject(toError(reply.error));
  });
  const end = (error: Error): void => {
    gone ??= error;
    for (const waiter of pending.values()) waiter.reject(gone);
    pending.clear();
  };
  worker.on('error', end);
  // Not a connection failure to wait out: a thread that ended does not come back.
  worker.on('exit', (code) => end(new Error(`the embedded database's thread ended (exit code ${code})`)));
  // The worker's first reply, id 0, says whether PGlite opened.
  const opened = new Promise((resolve, reject) => pending.set(0, { resolve, reject }));
  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const call = (request: DistributiveOmit<SessionRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<unknown> => {
    if (gone !== undefined) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
  };
  return {
    query: (text, parameters, options) => {
      const blob = options?.blob;
      // A COPY's rows go over without a copy when they own their buffer.
      const transfer = blob !== undefined && blob.buffer instanceof ArrayBuffer && blob.byteOffset === 0 ? [blob.buffer] : [];
      return call({ op: 'query', text, parameters, blob }, transfer) as Promise<SessionResult<never>>;
    },
    exec: (text) => call({ op: 'exec', text }) as Promise<SessionResult[]>,
    commit: () => call({ op: 'commit' }) as Promise<boolean>,
    close: async () => {
      if (gone !== undefined) return;
      const exited = once(worker, 'exit');
      await call({ op: 'close' });
      await exited;
    },
  };
}

/** An error from the worker, with its PostgreSQL fields (`code` for the callers that branch on it). */
function toError(fields: Record<string, unknown>): Error {
  const error = new Error(String(fields.message ?? 'embedded database error'));
  for (const [key, value] of Object.entries(fields)) if (key !== 'message') Object.defineProperty(error, key, { value, enumerable: key !== 'name', writable: true, configurable: true });
  return error;
}
