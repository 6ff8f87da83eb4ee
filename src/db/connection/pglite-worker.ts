import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { commitReportingRollback } from './embedded-session.js';
import { TYPE_PARSERS } from './type-parsers.js';
import type { SessionReply, SessionRequest, WorkerOpen } from './pglite-thread.js';

/*
 * The embedded database's own thread (see pglite-thread.ts): opens PGlite in the data
 * directory it is given and answers the requests of the one session, in order.
 */

const port = parentPort;
if (port === null) throw new Error('pglite-worker runs as a worker thread');
const { dataDir, settings } = workerData as WorkerOpen;

let pglite: PGlite;
try {
  pglite = await PGlite.create(dataDir, { parsers: { ...TYPE_PARSERS }, startParams: [...PGlite.defaultStartParams, ...settings] });
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
    case 'query': {
      const blob = request.blob === undefined ? undefined : new Blob([request.blob]);
      const result = await pglite.query(request.text, request.parameters, { rowMode: 'object', blob });
      return { rows: result.rows, affectedRows: result.affectedRows };
    }
    case 'exec': {
      const results = await pglite.exec(request.text, { rowMode: 'object' });
      return results.map((result) => ({ rows: result.rows, affectedRows: result.affectedRows }));
    }
    case 'commit':
      return commitReportingRollback(pglite);
    case 'close':
      await pglite.close();
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
