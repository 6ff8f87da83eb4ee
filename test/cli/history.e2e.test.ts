import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDir } from '../support/databases.js';
import { readFixture } from '../support/fixtures.js';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror.js';
import { runCli, singleJson } from '../support/run-cli.js';

const HISTORY = readFixture('gregorian-6-sections.djbcd');
const HEADER = 'stock_code,trade_date,open_price,high_price,low_price,close_price,volume';

describe('stock-crawler history, the built CLI on the embedded database', () => {
  let mirror: LoopbackMirror;
  let dataDir: { dir: string; remove(): Promise<void> };
  const env = () => ({ STOCK_CRAWLER_DATA_DIR: dataDir.dir });

  beforeAll(async () => {
    mirror = await startLoopbackMirror([
      http.get('*/z/BCD/czkc1.djbcd', () => new HttpResponse(HISTORY, { headers: { 'content-type': 'text/html; charset=big5' } })),
    ]);
    dataDir = await createPgliteDir({ initialized: true });
    // Stored the way an operator would: one fetch (1,440 bars from 2020-05-18 on).
    const fetch = await runCli(['fetch', '2330', '--brokers', `local=${mirror.url}`], { env: env() });
    expect(fetch.code, fetch.stderr).toBe(0);
  });
  afterAll(async () => {
    await mirror?.close();
    await dataDir?.remove();
  });

  it('prints CSV: a header and every stored row, oldest first', async () => {
    const run = await runCli(['history', '2330', '--format', 'csv'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(1441);
    expect(lines[1]).toBe('2330,2020-05-18,477,484,468.5,471.5,56245');
    const days = lines.slice(1).map((line) => line.split(',')[1]);
    expect(days).toEqual([...days].sort());
  });

  it('prints the JSON document for a range', async () => {
    const run = await runCli(['history', '2330', '--from', '2020-05-18', '--to', '2020-05-22', '--format', 'json'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const doc = singleJson(run.stdout);
    expect(doc).toMatchObject({ success: true, stock_code: '2330', total_records: 5, from: '2020-05-18', to: '2020-05-22', source: 'node' });
    const data = doc.data as Array<Record<string, unknown>>;
    expect(data).toHaveLength(5);
    expect(data[0]).toEqual({
      stock_code: '2330',
      trade_date: '2020-05-18',
      open_price: 477,
      high_price: 484,
      low_price: 468.5,
      close_price: 471.5,
      volume: 56245,
      // The stored prices are adjusted: the old endpoint's adjusted_close is the close.
      adjusted_close: 471.5,
    });
    expect(data.map((row) => row.trade_date)).toEqual(['2020-05-18', '2020-05-19', '2020-05-20', '2020-05-21', '2020-05-22']);
  });

  it('refuses a bad date with exit 2 and one line on stderr', async () => {
    const run = await runCli(['history', '2330', '--from', '2024-02-30'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^stock-crawler: --from "2024-02-30"/);
    expect(singleJson(run.stdout)).toMatchObject({ success: false, error: { code: 'E_USAGE' } });
  });

  it('answers an unknown symbol with an empty result, exit 0', async () => {
    // --order and --limit as typed (their effect is covered in-process, test/cli/history.test.ts)
    const run = await runCli(['history', '9999', '--order', 'desc', '--limit', '5'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(singleJson(run.stdout)).toMatchObject({ success: true, stock_code: '9999', data: [], total_records: 0 });
  });
});
