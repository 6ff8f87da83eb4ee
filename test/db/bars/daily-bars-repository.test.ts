import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { packBars } from '../../../src/db/bars/packed-bars.js';
import { bar } from '../../support/bars.js';
import { describeBackends, useEmptyDatabase } from '../../support/databases.js';
import { saveBars, saveSymbols } from '../../support/save-bars.js';
import { storedRows, useMigratedDatabase } from '../helpers.js';

for (const flavour of ['crawler', 'legacy'] as const) {
  describeBackends(`daily bars repository, ${flavour} table`, (backend) => {
    // One database per suite (opening one is the slow part); each test starts from an empty table.
    const database = useMigratedDatabase(backend, flavour, { emptyBarsBeforeEach: true });
    // What written rows say by default (README, rowVocabulary): the mirror and the weekend
    // flag in the crawler's own table, the Python writer's words in the backend's.
    const source = (mirror: string): string => (flavour === 'crawler' ? mirror : 'broker_crawler');
    const quality = (weekend: boolean): string => (flavour === 'crawler' ? (weekend ? 'weekend' : 'valid') : 'corrected_daily');

    it('detects the flavour', () => {
      const { repository } = database;
      expect(repository.flavour).toBe(flavour);
      expect(repository.tradeDateKind).toBe(flavour === 'crawler' ? 'date' : 'timestamptz');
      expect(repository.vocabulary.name).toBe(flavour === 'crawler' ? 'crawler' : 'backend');
    });

    it('counts created, updated and unchanged rows', async () => {
      const { handle, repository } = database;
      const first = [bar('2330', '2024-01-02', 593), bar('2330', '2024-01-03', 578), bar('2317', '2024-01-02', 104.5)];
      expect(await saveBars(repository, first, 'mirror-a')).toEqual({ created: 3, updated: 0, unchanged: 0 });
      expect(await saveBars(repository, first, 'mirror-a')).toEqual({ created: 0, updated: 0, unchanged: 3 });

      const second = [
        bar('2330', '2024-01-02', 593),
        bar('2330', '2024-01-03', 579), // close changed
        // quality changed: a change where the rows carry the weekend flag, none in the backend's words
        bar('2317', '2024-01-02', 104.5, { data_quality: 'weekend' }),
        bar('2330', '2024-01-04', 580), // new
      ];
      expect(await saveBars(repository, second, 'mirror-b')).toEqual(
        flavour === 'crawler' ? { created: 1, updated: 2, unchanged: 1 } : { created: 1, updated: 1, unchanged: 2 },
      );
      const rows = await storedRows(handle.db);
      expect(rows.map((row) => [row.stock_code, row.close_price, row.data_source, row.data_quality])).toEqual([
        ['2317', 104.5, source('mirror-b'), quality(true)],
        ['2330', 593, source('mirror-a'), quality(false)], // unchanged: data_source not churned
        ['2330', 579, source('mirror-b'), quality(false)],
        ['2330', 580, source('mirror-b'), quality(false)],
      ]);
    });

    it('compares in the column type: the same data saved again is unchanged', async () => {
      const { handle, repository } = database;
      const bars = [bar('2330', '2024-01-02', 10.12345, { open_price: 0.1 + 0.2, volume: 123456789 })];
      expect(await saveBars(repository, bars, 'mirror-a')).toEqual({ created: 1, updated: 0, unchanged: 0 });
      expect(await saveBars(repository, bars, 'mirror-a')).toEqual({ created: 0, updated: 0, unchanged: 1 });
      const [row] = await storedRows(handle.db);
      expect(row?.close_price).toBe(flavour === 'crawler' ? 10.1235 : 10.12345);
      expect(row?.volume).toBe(123456789);
    });

    it('draws no ids for rows it leaves unchanged where the id is a 32-bit serial', async () => {
      const { handle, repository } = database;
      const bars = [bar('2330', '2024-01-02', 593), bar('2330', '2024-01-03', 578)];
      await saveBars(repository, bars, 'mirror-a');
      for (let run = 0; run < 3; run++) await saveBars(repository, bars, 'mirror-a');
      await saveBars(repository, [...bars, bar('2330', '2024-01-04', 580)], 'mirror-a');
      const ids = (await storedRows(handle.db)).map((row) => Number(row.id));
      // The crawler's own table has a bigserial id: it may skip values, for a faster backfill.
      if (flavour === 'legacy') expect(ids[2]).toBe((ids[1] ?? Number.NaN) + 1);
      else expect(ids[2]).toBeGreaterThan(ids[1] ?? Number.NaN);
    });

    it('does nothing for an empty batch, and keeps the last of repeated keys', async () => {
      const { handle, repository } = database;
      expect(await saveBars(repository, [], 'mirror-a')).toEqual({ created: 0, updated: 0, unchanged: 0 });
      const counts = await saveBars(repository, [bar('2330', '2024-01-02', 1), bar('2330', '2024-01-02', 2)], 'm');
      expect(counts).toEqual({ created: 1, updated: 0, unchanged: 0 });
      expect((await storedRows(handle.db)).map((row) => row.close_price)).toEqual([2]);
    });

    it('writes nothing of a batch holding one bad row', async () => {
      const { handle, repository } = database;
      await saveBars(repository, [bar('2330', '2024-01-02', 593)], 'mirror-a');
      const bad = [
        bar('2330', '2024-01-02', 600),
        bar('2330', '2024-01-03', 601),
        bar('X'.repeat(30), '2024-01-03', 1), // longer than stock_code allows
      ];
      await expect(saveBars(repository, bad, 'mirror-a')).rejects.toThrow();
      if (flavour === 'crawler') {
        // 1e9 overflows numeric(12,4)
        await expect(
          saveBars(repository, [bar('2330', '2024-01-03', 601), bar('2330', '2024-01-04', 1e9)], 'mirror-a'),
        ).rejects.toThrow();
      }
      expect((await storedRows(handle.db)).map((row) => [row.close_price])).toEqual([[593]]);
    });

    it('commits a symbol atomically inside a transaction, and symbols independently through savepoints', async () => {
      const { handle, repository } = database;
      await expect(
        handle.db.transaction().execute(async (trx) => {
          const inTrx = repository.withExecutor(trx);
          await saveBars(inTrx, [bar('2330', '2024-01-02', 593)], 'mirror-a');
          await saveBars(inTrx, [bar('2330', '2024-01-03', 1e9), bar('Y'.repeat(30), '2024-01-03', 1)], 'mirror-a');
        }),
      ).rejects.toThrow();
      expect(await storedRows(handle.db)).toEqual([]);

      // Several symbols per transaction, each all-or-nothing (the nightly update's shape).
      const trx = await handle.db.startTransaction().execute();
      const results: string[] = [];
      for (const [symbol, close] of [['2330', 593], ['Z'.repeat(30), 1], ['2317', 104.5]] as const) {
        const savepoint = await trx.savepoint('symbol').execute();
        try {
          await saveBars(repository.withExecutor(savepoint), [bar(symbol, '2024-01-02', close)], 'mirror-a');
          await savepoint.releaseSavepoint('symbol').execute();
          results.push(`${symbol}:ok`);
        } catch {
          await savepoint.rollbackToSavepoint('symbol').execute();
          results.push(`${symbol}:failed`);
        }
      }
      await trx.commit().execute();
      expect(results).toEqual(['2330:ok', `${'Z'.repeat(30)}:failed`, '2317:ok']);
      expect((await storedRows(handle.db)).map((row) => row.stock_code)).toEqual(['2317', '2330']);
    });

    it('saves several symbols from several mirrors in one statement, with counts per symbol', async () => {
      const { handle, repository } = database;
      await saveBars(repository, [bar('2330', '2024-01-02', 593), bar('2317', '2024-01-02', 104.5)], 'mirror-a');
      const counts = await saveSymbols(repository, [
        { symbol: '2330', source: 'mirror-b', bars: [bar('2330', '2024-01-02', 593), bar('2330', '2024-01-03', 578)] },
        { symbol: '2317', source: 'mirror-c', bars: [bar('2317', '2024-01-02', 105), bar('2317', '2024-01-02', 105)] },
        { symbol: '1101', source: 'mirror-d', bars: [bar('1101', '2024-01-02', 40), bar('1101', '2024-01-03', 41)] },
        { symbol: '0050', source: 'mirror-d', bars: [] },
      ]);
      expect(counts).toEqual(
        new Map([
          ['2330', { created: 1, updated: 0, unchanged: 1 }],
          ['2317', { created: 0, updated: 1, unchanged: 0 }],
          ['1101', { created: 2, updated: 0, unchanged: 0 }],
          ['0050', { created: 0, updated: 0, unchanged: 0 }],
        ]),
      );
      expect((await storedRows(handle.db)).map((row) => [row.stock_code, row.close_price, row.data_source])).toEqual([
        ['1101', 40, source('mirror-d')],
        ['1101', 41, source('mirror-d')],
        ['2317', 105, source('mirror-c')],
        ['2330', 593, source('mirror-a')],
        ['2330', 578, source('mirror-b')],
      ]);
      expect(await saveSymbols(repository, [])).toEqual(new Map());
    });

    // A bar of another symbol or a non-finite value is refused by checkBars before packing
    // (upsert-parameters.test.ts, and the bar writer's own test); the repository refuses this.
    it('refuses a symbol given twice, before any SQL', async () => {
      const { handle, repository } = database;
      const twice = await repository
        .upsertPacked([
          packBars({ symbol: '2330', source: 'm', bars: [bar('2330', '2024-01-02', 1)] }),
          packBars({ symbol: '2330', source: 'm', bars: [bar('2330', '2024-01-03', 1)] }),
        ])
        .catch((e: unknown) => e);
      expect(twice).toMatchObject({ code: 'E_INTERNAL' });
      expect(await storedRows(handle.db)).toEqual([]);
    });

    it('finds the newest stored day per symbol', async () => {
      const { repository } = database;
      expect(await repository.latestTradeDate('2330')).toBeNull();
      expect(await repository.latestTradeDates()).toEqual(new Map());
      await saveBars(repository, 
        [
          bar('2330', '2024-01-02', 1),
          bar('2330', '2024-01-05', 1),
          bar('2317', '2023-12-29', 1),
          bar('1101', '2024-01-03', 1),
        ],
        'mirror-a',
      );
      expect(await repository.latestTradeDate('2330')).toBe('2024-01-05');
      expect(await repository.latestTradeDate('9999')).toBeNull();
      expect(await repository.latestTradeDates(['2330', '2317', '9999'])).toEqual(
        new Map([
          ['2330', '2024-01-05'],
          ['2317', '2023-12-29'],
        ]),
      );
      expect(await repository.latestTradeDates([])).toEqual(new Map());
      expect(await repository.latestTradeDates()).toEqual(
        new Map([
          ['1101', '2024-01-03'],
          ['2317', '2023-12-29'],
          ['2330', '2024-01-05'],
        ]),
      );
    });
  });
}

describeBackends('value types', (backend) => {
  const empty = useEmptyDatabase(backend, { timeZone: 'America/New_York' });

  it('are the same JS types on both backends', async () => {
    const { rows } = await sql`
      select 1.5::numeric(12,4) as numeric, 5::bigint as bigint, 7 as int, 1.25::float8 as float,
             '2024-01-02'::date as date, '2024-01-02 00:00:00+00'::timestamptz as timestamptz,
             count(*) as count, 'x'::varchar as text, true as bool`.execute(empty.db);
    expect(rows).toEqual([
      {
        numeric: 1.5,
        bigint: 5,
        int: 7,
        float: 1.25,
        date: '2024-01-02',
        timestamptz: new Date('2024-01-02T00:00:00Z'),
        count: 1,
        text: 'x',
        bool: true,
      },
    ]);
  });
});
