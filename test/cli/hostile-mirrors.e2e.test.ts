import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { batchSummarySchema, type BatchSummary } from '../../src/documents/batch-summary.js';
import { lastClosedSession, previousWeekday } from '../../src/batch/trading-session.js';
import type { FaultKind } from '../../src/mirrors/fault-kind.js';
import { backends, createTestDatabase } from '../support/databases.js';
import { FARM_FAULTS, startMirrorFarm, type FarmFault, type FaultCounts, type MirrorFarm } from '../support/mirror-farm.js';
import { runCli, singleJson } from '../support/run-cli.js';

// The child runs on the real clock: the farm's newest bar is the last closed session.
const LAST_SESSION = lastClosedSession(Date.now(), { timeZone: 'Asia/Taipei', readyAt: '17:00' });
const PREVIOUS_SESSION = previousWeekday(LAST_SESSION);
// Short histories (about 170 bars) keep a run quick and let the farm serve each one whole.
const FIRST_DAY = new Date(Date.parse(`${LAST_SESSION}T00:00:00Z`) - 240 * 86_400_000).toISOString().slice(0, 10);

const KNOWN = Array.from({ length: 120 }, (_, i) => String(4101 + i * 3));
const UNKNOWN = ['9990', '9991', '9992'];
const REVISED = KNOWN[0]!;

/** Where each farm fault must show up in the summary. */
const EXPECTED_KIND: Record<FarmFault, FaultKind> = {
  reset: 'reset',
  // An RST after the head reaches the client now as a reset, now as a close: a cut body either way.
  reset_mid_body: 'truncated',
  truncated: 'truncated',
  drip: 'timeout',
  http_429: 'http_429',
  http_429_retry_after: 'http_429',
  http_503: 'http_5xx',
  html: 'html',
  garbage: 'binary',
  empty: 'empty',
  drop_section: 'format',
  shift_dates: 'disagreement',
  disagree: 'disagreement',
};

const MIRRORS = 8;
const REFUSED = 2;

// Two CLI runs over a farm that drips, stalls and lies, on a machine that may be busy.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

interface Row {
  stock_code: string;
  trade_date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Rows the table should hold and does not (lost), and rows it holds that are not the truth (wrong). */
async function compareWithTruth(url: string, farm: MirrorFarm): Promise<{ stored: number; symbols: number; lost: number; wrong: number }> {
  const rows = await query<Row>(
    url,
    `select stock_code, to_char(trade_date, 'YYYY-MM-DD') as trade_date, open_price::float8 as open, high_price::float8 as high,
            low_price::float8 as low, close_price::float8 as close, volume::float8 as volume from stock_daily_data`,
  );
  const truth = new Map<string, Row>();
  for (const symbol of [...KNOWN, ...UNKNOWN]) {
    for (const bar of farm.history(symbol)) {
      truth.set(`${symbol}@${bar.day}`, { stock_code: symbol, trade_date: bar.day, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume });
    }
  }
  const same = (a: Row, b: Row): boolean =>
    (['open', 'high', 'low', 'close'] as const).every((field) => Math.abs(a[field] - b[field]) < 1e-6) && a.volume === b.volume;
  let wrong = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.stock_code}@${row.trade_date}`;
    seen.add(key);
    const expected = truth.get(key);
    if (expected === undefined || !same(row, expected)) wrong += 1;
  }
  const lost = [...truth.keys()].filter((key) => !seen.has(key)).length;
  return { stored: rows.length, symbols: new Set(rows.map((row) => row.stock_code)).size, lost, wrong };
}

const snapshot = (farm: MirrorFarm): FaultCounts[] => farm.injected.map((counts) => ({ ...counts }));

/** Per mirror, the summary's fault counts the farm's injections since `before` call for. */
function expectedFaults(farm: MirrorFarm, before: FaultCounts[]): Array<Partial<Record<FaultKind, number>>> {
  return farm.injected.map((counts, index) => {
    const expected: Partial<Record<FaultKind, number>> = {};
    for (const fault of FARM_FAULTS) {
      const injected = counts[fault] - before[index]![fault];
      if (injected > 0) expected[EXPECTED_KIND[fault]] = (expected[EXPECTED_KIND[fault]] ?? 0) + injected;
    }
    return expected;
  });
}

backends.find((backend) => backend.kind === 'postgres')!.describe('stock-crawler update against hostile mirrors', () => {
  let farm: MirrorFarm;
  let database: { url: string; drop(): Promise<void> };
  const runs: BatchSummary[] = [];
  const env = () => ({
    DATABASE_URL: database.url,
    BROKER_URLS: farm.brokers,
    STOCK_CRAWLER_LOG_LEVEL: 'error',
    STOCK_CRAWLER_SPACING_MS: '0',
    // A drip is cut by the body timeout; nothing healthy comes near the others, even on a busy machine.
    STOCK_CRAWLER_BODY_TIMEOUT_MS: '300',
    STOCK_CRAWLER_HEADERS_TIMEOUT_MS: '15000',
    STOCK_CRAWLER_ATTEMPT_TIMEOUT_MS: '6000',
    STOCK_CRAWLER_BACKOFF_BASE_MS: '20',
    STOCK_CRAWLER_BACKOFF_MAX_MS: '100',
    STOCK_CRAWLER_MAX_ATTEMPTS: '16',
    STOCK_CRAWLER_MAX_ROUNDS: '6',
    STOCK_CRAWLER_CIRCUIT_COOLDOWN_MS: '200',
    STOCK_CRAWLER_CIRCUIT_MAX_COOLDOWN_MS: '1000',
  });

  async function update(): Promise<BatchSummary> {
    const run = await runCli(['update', '--symbols', [...KNOWN, ...UNKNOWN].join(',')], { env: env(), timeoutMs: 200_000 });
    // Every symbol can be had from some healthy mirror: any failure is a bug.
    expect(run.code, run.stderr.slice(-4000)).toBe(0);
    const summary = batchSummarySchema.parse(singleJson(run.stdout));
    runs.push(summary);
    return summary;
  }

  function expectFaultsCounted(summary: BatchSummary, before: FaultCounts[]): void {
    const expected = expectedFaults(farm, before);
    for (let index = 0; index < MIRRORS; index += 1) {
      const faults = summary.result.brokers[`m${index}`]!.faults;
      if (index === REFUSED) {
        // The farm never sees a refused connection: only the client can count them.
        expect(Object.keys(faults)).toEqual(['refused']);
        expect(faults.refused).toBeGreaterThan(0);
      } else {
        expect(faults, `m${index}`).toEqual(expected[index]);
      }
    }
  }

  beforeAll(async () => {
    [farm, database] = await Promise.all([
      startMirrorFarm({
        behaviours: ['ok', 'ok', 'refused', 'ok', 'ok', 'ok', 'ok', 'ok'],
        lastDay: PREVIOUS_SESSION,
        firstDay: FIRST_DAY,
        seed: 20_26,
        unknownSymbols: UNKNOWN,
        faults: [
          undefined,
          undefined,
          undefined,
          { rates: { reset: 0.1, reset_mid_body: 0.1, truncated: 0.1 } },
          { rates: { drip: 0.1 }, storm: { from: 3, length: 8 } },
          { rates: { http_429: 0.15, http_429_retry_after: 0.1, html: 0.15 } },
          { rates: { garbage: 0.15, drop_section: 0.15 } },
          { rates: { empty: 0.25 } },
        ],
      }),
      createTestDatabase(),
    ]);
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: database.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
  });

  afterAll(async () => {
    await farm?.close();
    await database?.drop();
  });

  it('run 1 (whole histories): every fault counted under its mirror and kind, every true row stored, no other', async () => {
    const before = snapshot(farm);
    const summary = await update();
    expect(summary.result).toMatchObject({ succeeded: KNOWN.length, no_data: UNKNOWN.length, failed: 0, revised: 0 });
    expectFaultsCounted(summary, before);
    // An empty answer for a symbol with a history was caught by asking another mirror.
    expect(farm.injected[7]!.empty).toBeGreaterThan(0);
    expect(await compareWithTruth(database.url, farm)).toMatchObject({ symbols: KNOWN.length, lost: 0, wrong: 0 });
  });

  it('run 2 (incremental): mirrors serving shifted or false values are charged, a real revision is still made', async () => {
    farm.setLastDay(LAST_SESSION);
    farm.revise(REVISED, LAST_SESSION, 0.95);
    farm.setFaults(6, { rates: { garbage: 0.15, shift_dates: 0.2 } });
    farm.setFaults(7, { rates: { empty: 0.2, disagree: 0.25 } });
    const before = snapshot(farm);
    const summary = await update();
    expect(summary.result).toMatchObject({ succeeded: KNOWN.length, no_data: UNKNOWN.length, failed: 0, revised: 1 });
    expectFaultsCounted(summary, before);
    expect(summary.result.brokers.m6!.faults.disagreement).toBeGreaterThan(0);
    expect(summary.result.brokers.m7!.faults.disagreement).toBeGreaterThan(0);
    // Incremental: only the new bar is created, the revised symbol's history rewritten.
    expect(summary.result.rows.created).toBe(KNOWN.length);
    expect(await compareWithTruth(database.url, farm)).toMatchObject({ symbols: KNOWN.length, lost: 0, wrong: 0 });
  });

  it('injected every fault kind, and says how it went', async () => {
    expect(runs).toHaveLength(2);
    const injected = Object.fromEntries(FARM_FAULTS.map((fault) => [fault, farm.injected.reduce((sum, counts) => sum + counts[fault], 0)]));
    for (const fault of FARM_FAULTS) expect(injected[fault], fault).toBeGreaterThan(0);
    const refused = runs.reduce((sum, run) => sum + (run.result.brokers[`m${REFUSED}`]!.faults.refused ?? 0), 0);
    const table = await compareWithTruth(database.url, farm);
    const figures = {
      runs: runs.length,
      faults_injected: { ...injected, refused },
      faults_counted: runs.map((run) => Object.fromEntries(Object.entries(run.result.brokers).map(([name, broker]) => [name, broker.faults]))),
      symbols_stored: table.symbols,
      rows_stored: table.stored,
      rows_lost: table.lost,
      wrong_rows: table.wrong,
    };
    console.log(JSON.stringify({ hostile_mirror_farm: figures }));
    expect(figures).toMatchObject({ rows_lost: 0, wrong_rows: 0, symbols_stored: KNOWN.length });
  });
});
