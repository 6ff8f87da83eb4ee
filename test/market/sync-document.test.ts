import { describe, expect, it } from 'vitest';
import type { MarketSyncPlan } from '../../src/market/plan-market-sync.js';
import { buildSyncDocument, type SourceOutcome } from '../../src/market/sync-document.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');

const good = (source: string, rows: number, kept: number): SourceOutcome => ({
  source,
  url: `http://exchange.test/${source}`,
  counts: { rows, kept, skipped: { warrant: rows - kept }, invalid: 0 },
  refusal: null,
});
const refused = (source: string): SourceOutcome => ({
  source,
  url: `http://exchange.test/${source}`,
  counts: null,
  refusal: { reason: 'http_status', status: 503, message: 'HTTP 503' },
});

const plan: MarketSyncPlan = {
  market: 'TSE',
  listings: [
    { code: '2330', name: '台積電', market: 'TSE', type: 'stock', isin: null, cfi: null, industry: null, listedDate: null },
    { code: '0050', name: '元大台灣50', market: 'TSE', type: 'etf', isin: null, cfi: null, industry: null, listedDate: null },
  ],
  delist: ['9904'],
  relisted: [],
  counts: { added: 1, relisted: 0, renamed: 1, updated: 0, unchanged: 0, delisted: 1 },
  activeBefore: 2,
};

describe('buildSyncDocument', () => {
  it('succeeds when every source was used', () => {
    const { document, status, refused: none } = buildSyncDocument({
      runId: 'run-1',
      dryRun: false,
      nowMs: NOW,
      symbols: { outcomes: [good('TSE', 5, 2)], plans: [plan], active: { TSE: 2, TPEx: 0 } },
      calendar: null,
    });
    expect(status).toBe('succeeded');
    expect(none).toEqual([]);
    expect(document).toEqual({
      success: true,
      message: 'sync: TSE 2 of 5 rows kept: 1 added, 1 renamed, 0 updated, 1 delisted, 0 relisted, 0 unchanged (active: TSE 2, TPEx 0)',
      run_id: 'run-1',
      dry_run: false,
      result: {
        symbols: {
          sources: [{ market: 'TSE', url: 'http://exchange.test/TSE', ok: true, rows: 5, kept: 2, skipped: { warrant: 3 }, invalid: 0 }],
          added: 1,
          renamed: 1,
          updated: 0,
          delisted: 1,
          relisted: 0,
          unchanged: 0,
          active: { TSE: 2, TPEx: 0 },
          by_type: { stock: 1, etf: 1 },
          delisted_codes: ['9904'],
          relisted_codes: [],
        },
        calendar: null,
      },
      updated_at: '2026-03-02T10:00:00.000Z',
      source: 'node',
    });
  });

  it('is partial when some source was refused, and says which and why', () => {
    const { document, status, refused: which } = buildSyncDocument({
      runId: null,
      dryRun: true,
      nowMs: NOW,
      symbols: { outcomes: [good('TSE', 5, 2), refused('TPEx')], plans: [plan], active: { TSE: 2, TPEx: 0 } },
      calendar: null,
    });
    expect(status).toBe('partial');
    expect(which).toEqual(['TPEx']);
    expect(document.success).toBe(false);
    expect(document.error).toBeUndefined();
    expect(document.message).toMatch(/^sync \(dry run, nothing written\): TSE 2 of 5 rows kept.*; TPEx left unchanged: HTTP 503 \(http:\/\/exchange\.test\/TPEx\)$/);
    expect(document.result.symbols?.sources[1]).toEqual({
      market: 'TPEx',
      url: 'http://exchange.test/TPEx',
      ok: false,
      rows: 0,
      kept: 0,
      skipped: {},
      invalid: 0,
      error: { code: 'E_SOURCE_REFUSED', reason: 'http_status', message: 'HTTP 503', status: 503 },
    });
  });

  it('fails when no source could be used', () => {
    const { document, status } = buildSyncDocument({
      runId: 'run-2',
      dryRun: false,
      nowMs: NOW,
      symbols: null,
      calendar: { outcome: refused('holidays'), plan: null },
    });
    expect(status).toBe('failed');
    expect(document.error).toEqual({ code: 'E_SOURCE_REFUSED', sources: ['holidays'] });
    expect(document.result.calendar).toMatchObject({ ok: false, year: null, holidays: 0, error: { reason: 'http_status' } });
  });
});
