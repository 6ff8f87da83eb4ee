import { AbortedTransactionError, sql, type Kysely } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embeddedBackend, useEmptyDatabase } from '../../support/databases.js';

interface Scratch {
  events: { id: number; note: string };
}

describe('PGlite dialect', () => {
  const scratch = useEmptyDatabase(embeddedBackend);
  let db: Kysely<Scratch>;

  beforeAll(async () => {
    db = scratch.db as unknown as Kysely<Scratch>;
    await sql`create table events (id int primary key, note text not null)`.execute(db);
  });
  beforeEach(async () => {
    await sql`truncate events`.execute(db);
  });

  it('keeps other queries out of a transaction until it ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto('events').values({ id: 1, note: 'in transaction' }).execute();
      await gate;
      throw new Error('roll it back');
    });
    // Issued while the transaction is open: it must wait, and must not see or join it.
    const outside = db.selectFrom('events').select('id').execute();
    const raced = await Promise.race([outside.then(() => 'ran'), new Promise((r) => setTimeout(() => r('waited'), 100))]);
    expect(raced).toBe('waited');
    release();
    await expect(transaction).rejects.toThrow('roll it back');
    expect(await outside).toEqual([]);
  });

  it('reports affected rows like pg', async () => {
    const inserted = await db.insertInto('events').values([{ id: 1, note: 'a' }, { id: 2, note: 'b' }]).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);
    const updated = await db.updateTable('events').set({ note: 'c' }).where('id', '=', 2).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    const deleted = await db.deleteFrom('events').where('id', '=', 3).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(0n);
  });

  it('runs a parameterless script of several statements, as pg does', async () => {
    const { rows } = await sql.raw<{ n: number }>(
      `insert into events values (1, 'x'); insert into events values (2, 'y'); select count(*) as n from events`,
    ).execute(db);
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('throws on commit when a swallowed error had aborted the transaction', async () => {
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('events').values({ id: 1, note: 'a' }).execute();
        await trx.insertInto('events').values({ id: 1, note: 'duplicate' }).execute().catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedTransactionError);
    expect(await db.selectFrom('events').selectAll().execute()).toEqual([]);
    // The session is usable afterwards.
    await db.insertInto('events').values({ id: 1, note: 'after' }).execute();
  });
});
