import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../src/db/connection/open-database.js';
import { createStocksRepository } from '../../../src/db/stocks/stocks-repository.js';
import { describeBackends } from '../../support/databases.js';
import { useMigratedDatabase } from '../helpers.js';

async function stocks(handle: DatabaseHandle): Promise<Array<Record<string, unknown>>> {
  const { rows } = await sql<Record<string, unknown>>`
    select stock_code, stock_name, market, is_active from stocks order by stock_code collate "C"`.execute(handle.db);
  return rows;
}

/** Rows as the backend keeps them: active, inactive, and one whose is_active nobody set. */
async function seed(handle: DatabaseHandle): Promise<void> {
  await sql`
    insert into stocks (stock_code, stock_name, market, is_active) values
      ('2330', '台積電', 'TSE', true), ('1101', '台泥', 'TSE', true), ('9999', 'Delisted', 'TSE', false),
      ('00631L', '元大台灣50正2', 'TSE', null), ('6488', '環球晶', 'TPEx', true), ('0050', '元大台灣50', 'TSE', true)`.execute(
    handle.db,
  );
}

for (const flavour of ['crawler', 'legacy'] as const) {
  describeBackends(`stocks repository, ${flavour} database`, (backend) => {
    const database = useMigratedDatabase(backend, flavour);

    beforeEach(async () => {
      await sql`truncate stocks`.execute(database.db);
      await seed(database.handle);
    });

    it(`is ${flavour === 'crawler' ? '' : 'not '}owned by the crawler`, async () => {
      expect((await createStocksRepository(database.db)).owned).toBe(flavour === 'crawler');
    });

    it('lists active codes (NULL counts as active) in byte order', async () => {
      const repository = await createStocksRepository(database.db);
      expect(await repository.activeSymbols()).toEqual(['0050', '00631L', '1101', '2330', '6488']);
    });

    it(
      flavour === 'crawler'
        ? 'adds the missing codes with placeholders, once'
        : 'adds nothing to the backend table',
      async () => {
        const repository = await createStocksRepository(database.db);
        const before = await stocks(database.handle);
        const result = await repository.ensureSymbols(['2330', '3008', '00878', '3008', '9999']);
        if (flavour === 'legacy') {
          expect(result).toEqual({ added: [] });
          expect(await stocks(database.handle)).toEqual(before);
          return;
        }
        expect(result).toEqual({ added: ['00878', '3008'] });
        expect(await stocks(database.handle)).toEqual(
          expect.arrayContaining([
            { stock_code: '3008', stock_name: '3008', market: 'UNKNOWN', is_active: true },
            { stock_code: '00878', stock_name: '00878', market: 'UNKNOWN', is_active: true },
            // an existing row, even an inactive one, is left as it is
            { stock_code: '9999', stock_name: 'Delisted', market: 'TSE', is_active: false },
          ]),
        );
        expect(await repository.ensureSymbols(['3008', '00878'])).toEqual({ added: [] });
        expect(await repository.ensureSymbols([])).toEqual({ added: [] });
        expect(await stocks(database.handle)).toHaveLength(before.length + 2);
        expect(await repository.activeSymbols()).toEqual(['0050', '00631L', '00878', '1101', '2330', '3008', '6488']);
      },
    );
  });
}
