import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDir, createTestDatabase, serverBackend } from '../support/databases.js';
import { readFixture } from '../support/fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { runCli, type CliRun } from '../support/run-cli.js';

/*
 * Node carries its own copy of undici behind the global fetch classes; the first touch of
 * `fetch`, `Response` or `Headers` loads it and compiles its WebAssembly parser (tens of
 * MB resident). The crawler's HTTP client is the undici package, loaded part by part, and
 * the pg driver's Cloudflare probe of `Response` is compiled out of the bundle: a run must
 * never load Node's copy. A preload, given through NODE_OPTIONS, writes Node's list of
 * loaded built-in modules when the process exits.
 */

const dir = mkdtempSync(join(tmpdir(), 'stock-crawler-footprint-'));
const probe = join(dir, 'builtins.mjs');
writeFileSync(
  probe,
  `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.BUILTINS_LOG, process.moduleLoadList.join('\\n')));
`,
);

let runs = 0;
async function runProbed(args: string[], env: Record<string, string>): Promise<CliRun & { builtins: string[] }> {
  const log = join(dir, `builtins-${runs++}.txt`);
  const preload = `--import ${pathToFileURL(probe).href}`;
  const options = env.NODE_OPTIONS === undefined ? preload : `${env.NODE_OPTIONS} ${preload}`;
  const run = await runCli(args, { env: { ...env, NODE_OPTIONS: options, BUILTINS_LOG: log } });
  return { ...run, builtins: readFileSync(log, 'utf8').split('\n') };
}

const NODE_FETCH = 'NativeModule internal/deps/undici/undici';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what a run loads', () => {
  let mirror: LoopbackMirror;
  let second: LoopbackMirror;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    const body = readFixture('gregorian-6-sections.djbcd');
    const answer = () => new HttpResponse(body, { headers: { 'content-type': 'text/html; charset=big5' } });
    mirror = await startLoopbackMirror([http.get('*/z/BCD/czkc1.djbcd', answer)]);
    second = await startLoopbackMirror([http.get('*/z/BCD/czkc1.djbcd', answer)]);
    dataDir = await createPgliteDir({ initialized: true });
  });
  afterAll(async () => {
    await mirror?.close();
    await second?.close();
    await dataDir?.remove();
  });

  it("a fetch into the embedded database never loads Node's bundled fetch", async () => {
    const run = await runProbed(['fetch', '2330', '--brokers', `a=${mirror.url},b=${second.url}`], { STOCK_CRAWLER_DATA_DIR: dataDir.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ success: true });
    expect(run.builtins).toContain('NativeModule http');
    expect(run.builtins).not.toContain(NODE_FETCH);
    // undici's HTTP/2 client is given a stand-in for node:http2 (no-http2.ts): plain HTTP/1.1
    // to the mirrors needs neither it nor TLS.
    expect(run.builtins).not.toContain('NativeModule http2');
    expect(run.builtins).not.toContain('NativeModule tls');
  });

  it('the probe sees it when a process does touch the global fetch classes', async () => {
    const touch = join(dir, 'touch-response.mjs');
    writeFileSync(touch, 'void Response;\n');
    const run = await runProbed(['--version'], { NODE_OPTIONS: `--import ${pathToFileURL(touch).href}` });
    expect(run.code).toBe(0);
    expect(run.builtins).toContain(NODE_FETCH);
  });
});

serverBackend.describe('what a run loads on a server database [postgres]', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it("opening the server database never loads Node's bundled fetch", async () => {
    const run = await runProbed(['migrate'], { DATABASE_URL: database.url });
    expect(run.code, run.stderr).toBe(0);
    expect(run.builtins).toContain('NativeModule net');
    expect(run.builtins).not.toContain(NODE_FETCH);
  });
});
