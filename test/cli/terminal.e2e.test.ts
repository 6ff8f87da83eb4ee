import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedSession } from '../../src/batch/trading-session.js';
import { createPgliteDir } from '../support/databases.js';
import { startMirrorFarm, type MirrorFarm } from '../support/mirror-farm.js';
import { replayScreen, runInPty } from '../support/pty.js';

const BIN = fileURLToPath(new URL('../../bin/stock-crawler', import.meta.url));
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const SYMBOLS = Array.from({ length: 60 }, (_, i) => String(4100 + i * 3));

/*
 * The built CLI on a real pseudo-terminal (script(1)): a run with a failing mirror logs
 * warnings while its progress bar is drawn. On the replayed screen no line holds both bar
 * and log text; the run ends with the bar, the recap, and stdout's one JSON document.
 */
describe('stock-crawler update on a terminal', () => {
  let farm: MirrorFarm;
  let dataDir: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    farm = await startMirrorFarm({ behaviours: ['ok', 'down', 'ok', 'down'], lastDay: LAST_SESSION, latencyMs: 20 });
    dataDir = await createPgliteDir({ initialized: true });
  });
  afterAll(async () => {
    await farm?.close();
    await dataDir?.remove();
  });

  it('prints log lines above the bar, never in it, and ends with the bar, the recap and the document', async () => {
    const run = await runInPty([process.execPath, BIN, 'update', '--symbols', SYMBOLS.join(','), '--concurrency', '4', '--per-mirror', '1'], {
      env: { BROKER_URLS: farm.brokers, STOCK_CRAWLER_DATA_DIR: dataDir.dir, STOCK_CRAWLER_SPACING_MS: '0', STOCK_CRAWLER_CIRCUIT_FAILURES: '50', STOCK_CRAWLER_CIRCUIT_WINDOW: '200' },
      timeoutMs: 120_000,
    });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    const screen = replayScreen(run.output);
    const isBar = (line: string): boolean => /^update \[[=-]+\] \d+\/60 /.test(line);
    const isLog = (line: string): boolean => /^\d\d:\d\d:\d\d (INFO |WARN |ERROR|DEBUG) \S/.test(line);
    const document = screen.at(-1)!;
    expect(JSON.parse(document)).toMatchObject({ success: true, result: { total: 60, succeeded: 60 } });
    // Every line is one thing: a log line, the bar, the recap, or the document.
    for (const line of screen.slice(0, -1)) {
      expect(isBar(line) && /\d\d:\d\d:\d\d (INFO|WARN)/.test(line), line).toBe(false);
      expect(isLog(line) || isBar(line) || /^(update: |rows: |worst mirror: )/.test(line), line).toBe(true);
    }
    const logs = screen.filter(isLog);
    expect(logs.some((line) => / WARN {2}attempt failed/.test(line))).toBe(true);
    const bars = screen.filter(isBar);
    expect(bars).toEqual([expect.stringMatching(/^update \[={30}\] 60\/60 /)]);
    // The warnings came while the bar was drawn: they are all above its final state.
    const lastWarning = screen.map((line, i) => (/ WARN /.test(line) ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(screen.indexOf(bars[0]!)).toBeGreaterThan(lastWarning);
    expect(screen.slice(-4, -1)[0]).toMatch(/^update: 60 stored, 0 skipped, 0 failed of 60 symbols/);
  });
});
