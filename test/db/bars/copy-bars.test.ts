import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyRows } from '../../../src/db/bars/copy-bars.js';
import { packBars, type PackedBars } from '../../../src/db/bars/packed-bars.js';
import { createDailyBarsRepository, type DailyBarsRepository } from '../../../src/db/bars/daily-bars-repository.js';
import { bar, barSeries } from '../../support/bars.js';
import { describeBackends } from '../../support/databases.js';
import { saveSymbols } from '../../support/save-bars.js';
import { storedRows, useMigratedDatabase } from '../helpers.js';

const copyText = (group: PackedBars, kind: Parameters<typeof copyRows>[1]) => new TextDecoder().decode(copyRows([group], kind));

describe('copyRows', () => {
  it('writes one tab-separated line per bar, the day as the column kind needs it', () => {
    const group = packBars({ symbol: '2330', source: 'm1', bars: [bar('2330', '2024-01-02', 580.5, { volume: 31_234 })] });
    expect(copyText(group, 'date')).toBe('2330\t2024-01-02\t579.5\t582.5\t578.5\t580.5\t31234\tvalid\tm1\n');
    expect(copyText(group, 'timestamptz')).toContain('\t2024-01-02 00:00:00+00\t');
    expect(copyText(group, 'timestamp')).toContain('\t2024-01-02 00:00:00\t');
  });

  it("escapes COPY's special characters in a mirror's name", () => {
    const group = packBars({ symbol: '2330', source: 'a\tb\\c\nd', bars: [bar('2330', '2024-01-02', 10)] });
    expect(copyText(group, 'date').trimEnd().split('\t').at(-1)).toBe('a\\tb\\\\c\\nd');
  });

  it('prints every number as JavaScript does, whole or not, and one line per bar of every symbol', () => {
    const values = [0, 7, 10, 99_999_999_999, 2 ** 53 - 1, 580.25, 0.1 + 0.2, 1e21, 1.5e-7, -3, 123.4567];
    const groups = values.map((close, i) => packBars({ symbol: `S${i}`, source: 'm1', bars: [bar(`S${i}`, '2024-01-02', 1, { close_price: close, volume: close })] }));
    const lines = new TextDecoder().decode(copyRows(groups, 'date')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => line.split('\t')[5])).toEqual(values.map(String));
    expect(lines.map((line) => line.split('\t')[6])).toEqual(values.map(String));
    expect(lines.map((line) => line.split('\t')[0])).toEqual(values.map((_, i) => `S${i}`));
  });

  it('writes names in UTF-8', () => {
    const group = packBars({ symbol: '2330', source: '元大', bars: [bar('2330', '2024-01-02', 10)] });
    expect(copyText(group, 'date').trimEnd().split('\t').at(-1)).toBe('元大');
  });

  it('marks weekend bars', () => {
    const group = packBars({ symbol: '2330', source: 'm1', bars: [bar('2330', '2024-01-06', 10, { data_quality: 'weekend' })] });
    expect(copyText(group, 'date').split('\t').at(-2)).toBe('weekend');
  });
});

// The server COPYs from a stream, the embedded database from a Blob: both must store what the upsert would.
for (const flavour of ['crawler', 'legacy'] as const) {
  describeBackends(`COPY path, ${flavour} table`, (backend) => {
    // A session zone east of UTC: a timestamptz written as a bare day would land on the previous day.
    const database = useMigratedDatabase(backend, flavour, { timeZone: 'Asia/Taipei', emptyBarsBeforeEach: true });
    let bulk: DailyBarsRepository;

    beforeAll(async () => {
      bulk = await createDailyBarsRepository(database.db, { bulk: database.handle.bulk, copyMinRows: 1 });
    });

    const days = ['2024-01-02', '2024-01-03', '2024-01-04'];
    const history = (symbol: string, close: number) => barSeries(symbol, days, close);

    it('stores fresh symbols exactly as the upsert statement would', async () => {
      const counts = await saveSymbols(bulk, [
        { symbol: '2330', source: 'm1', bars: history('2330', 580.25) },
        { symbol: '2317', source: 'm2', bars: history('2317', 101.5) },
      ]);
      expect(counts.get('2330')).toEqual({ created: 3, updated: 0, unchanged: 0 });
      const copied = await storedRows(database.db);

      await sql`truncate stock_daily_data`.execute(database.db);
      await saveSymbols(database.repository, [
        { symbol: '2330', source: 'm1', bars: history('2330', 580.25) },
        { symbol: '2317', source: 'm2', bars: history('2317', 101.5) },
      ]);
      const upserted = await storedRows(database.db);
      const withoutIds = (rows: Array<Record<string, unknown>>) => rows.map(({ id: _id, ...rest }) => rest);
      expect(withoutIds(copied)).toEqual(withoutIds(upserted));
      expect(copied[0]?.stored).toBe(flavour === 'crawler' ? '2024-01-02' : '2024-01-02T00:00:00Z');
    });

    it('upserts the symbols that already have rows in the same transaction', async () => {
      await saveSymbols(database.repository, [{ symbol: '2330', source: 'm1', bars: history('2330', 580) }]);
      const revised = history('2330', 580).map((b, i) => (i === 2 ? { ...b, close_price: 581.5 } : b));
      const counts = await saveSymbols(bulk, [
        { symbol: '2330', source: 'm1', bars: [...revised, bar('2330', '2024-01-05', 590)] },
        { symbol: '2317', source: 'm2', bars: history('2317', 101) },
      ]);
      expect(counts.get('2330')).toEqual({ created: 1, updated: 1, unchanged: 2 });
      expect(counts.get('2317')).toEqual({ created: 3, updated: 0, unchanged: 0 });
      expect(await storedRows(database.db)).toHaveLength(7);
    });

    it('writes nothing of a batch when any part of it fails', async () => {
      await saveSymbols(database.repository, [{ symbol: '2330', source: 'm1', bars: history('2330', 580) }]);
      const before = await storedRows(database.db);
      const tooLong = 'X'.repeat(40); // longer than stock_code's varchar(20)
      await expect(
        saveSymbols(bulk, [
          { symbol: '2330', source: 'm1', bars: [bar('2330', '2024-01-05', 590)] },
          { symbol: '2317', source: 'm2', bars: history('2317', 101) },
          { symbol: tooLong, source: 'm2', bars: history(tooLong, 5) },
        ]),
      ).rejects.toMatchObject({ code: '22001' });
      expect(await storedRows(database.db)).toEqual(before);
      // The connection is healthy afterwards (back in the pool, or PGlite's session out of the failed transaction).
      const counts = await saveSymbols(bulk, [{ symbol: '2317', source: 'm2', bars: history('2317', 101) }]);
      expect(counts.get('2317')?.created).toBe(3);
    });
  });
}
