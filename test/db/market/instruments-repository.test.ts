import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createInstrumentsRepository, type InstrumentRecord } from '../../../src/db/market/instruments-repository.js';
import { describeBackends } from '../../support/databases.js';
import { emptyMarketTables, FLAVOURS, openMarketDatabase, type MarketDatabase } from './helpers.js';

const record = (code: string, overrides: Partial<InstrumentRecord> = {}): InstrumentRecord => ({
  code,
  name: `name ${code}`,
  market: 'TSE',
  type: 'stock',
  isin: `TW000${code}`,
  cfi: 'ESVUFR',
  industry: '半導體業',
  listedDate: '1994-09-05',
  ...overrides,
});

const MONDAY = new Date('2026-01-05T10:00:00Z');
const TUESDAY = new Date('2026-01-06T10:00:00Z');

for (const flavour of FLAVOURS) {
  describeBackends(`instruments repository, ${flavour} database`, (backend) => {
    let database: MarketDatabase;
    beforeAll(async () => {
      database = await openMarketDatabase(backend, flavour);
    });
    afterAll(async () => {
      await database?.close();
    });
    beforeEach(async () => {
      await emptyMarketTables(database.db);
    });

    it('stores, updates, delists and relists, keeping when it was first seen', async () => {
      const repository = createInstrumentsRepository(database.db);
      await repository.upsert([record('2330'), record('0050', { type: 'etf', industry: null, listedDate: null }), record('00631L', { type: 'etf' })], MONDAY);
      expect(await repository.all()).toEqual([
        { ...record('0050', { type: 'etf', industry: null, listedDate: null }), firstSeen: MONDAY, lastSeen: MONDAY, delistedDate: null },
        { ...record('00631L', { type: 'etf' }), firstSeen: MONDAY, lastSeen: MONDAY, delistedDate: null },
        { ...record('2330'), firstSeen: MONDAY, lastSeen: MONDAY, delistedDate: null },
      ]);

      expect(await repository.markDelisted(['0050', '9999'], '2026-01-06')).toEqual(['0050']);
      expect(await repository.markDelisted(['0050'], '2026-01-07')).toEqual([]); // already delisted: its date stays
      await repository.upsert([record('2330', { name: '台積電' })], TUESDAY);
      const after = new Map((await repository.all()).map((row) => [row.code, row]));
      expect(after.get('0050')?.delistedDate).toBe('2026-01-06');
      expect(after.get('2330')).toMatchObject({ name: '台積電', firstSeen: MONDAY, lastSeen: TUESDAY });

      // Listed again: the delisting is cleared.
      await repository.upsert([record('0050', { type: 'etf' })], TUESDAY);
      expect((await repository.all()).find((row) => row.code === '0050')).toMatchObject({ delistedDate: null, firstSeen: MONDAY, lastSeen: TUESDAY });
    });

    it('takes names with quotes, backslashes and commas as they are, and does nothing for nothing', async () => {
      const repository = createInstrumentsRepository(database.db);
      await repository.upsert([record('2330', { name: 'a "quoted", back\\slash {name}' })], MONDAY);
      expect((await repository.all())[0]?.name).toBe('a "quoted", back\\slash {name}');
      await repository.upsert([], MONDAY);
      expect(await repository.markDelisted([], '2026-01-06')).toEqual([]);
      expect(await repository.all()).toHaveLength(1);
    });
  });
}
