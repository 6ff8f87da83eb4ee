import { parentPort, workerData } from 'node:worker_threads';
import { openSessionHere, type EmbeddedSession } from './embedded-session.js';
import type { SessionReply, SessionRequest, WorkerOpen } from './pglite-thread.js';

/*
 * The embedded database's own thread (see pglite-thread.ts): opens PGlite in the data
 * directory it is given and answers the requests of the one session, in order.
 */

const port = parentPort;
if (port === null) throw new Error('pglite-worker runs as a worker thread');
const { dataDir, settings } = workerData as WorkerOpen;

// The same session as on the crawler's thread; this thread only carries requests to it.
let session: EmbeddedSession;
try {
  session = await openSessionHere(dataDir, settings);
  port.postMessage({ id: 0, ok: true, value: null } satisfies SessionReply);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: plainError(error) } satisfies SessionReply);
  process.exit(1);
}

port.on('message', (request: SessionRequest) => {
  void answer(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies SessionReply),
    (error: unknown) => port.postMessage({ id: request.id, ok: false, error: plainError(error) } satisfies SessionReply),
  );
});

async function answer(request: SessionRequest): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return session.query(request.text, request.parameters, { blob: request.blob });
    case 'exec':
      return session.exec(request.text);
    case 'commit':
      return session.commit();
    case 'close':
      await session.close();
      setImmediate(() => port?.close());
      return null;
  }
}

/** An error as data: its message, name and PostgreSQL fields (code, detail, constraint…) cross the thread. */
function plainError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return fields;
}
