// Test support, not runtime code (left out of the build): the one suite every kind of `db` must
// pass, as every transport passes one.
import { type Db } from './db';

/**
 * What differs between kinds and is documented rather than hidden: how a BOOLEAN column and an
 * aggregate come back. Everything else in the suite is asserted identically for every kind.
 */
export interface DbKindTraits {
  /** A BOOLEAN column's `true` as read back: SQLite stores and returns `1`, PostgreSQL returns `true`. */
  readonly trueValue: unknown;
  readonly falseValue: unknown;
  /** `COUNT(*)` as read back: SQLite returns a number, PostgreSQL a string (it is an int8, which may not fit a double). */
  readonly countOfThree: unknown;
}

export const DB_KIND_TRAITS: Readonly<Record<string, DbKindTraits>> = {
  sqlite: { trueValue: 1, falseValue: 0, countOfThree: 3 },
  postgres: { trueValue: true, falseValue: false, countOfThree: '3' },
};

// SQL valid on SQLite and PostgreSQL alike: text keys, INTEGER, BOOLEAN, no AUTOINCREMENT/SERIAL.
const SCHEMA = `
  DROP TABLE IF EXISTS conf_items;
  CREATE TABLE conf_items (
    id TEXT PRIMARY KEY,
    name TEXT,
    qty INTEGER,
    flag BOOLEAN
  );
`;

/**
 * Runs the shared `Db` suite against one kind. `makeDb` is called once for the suite; the suite's
 * table is dropped and created again before each test, so a db may already hold other tables.
 *
 * @example
 * describeDbConformance('sqlite :memory:', async () => createSqliteDb({ type: 'sqlite', path: ':memory:' }), (db) => db.close());
 */
export function describeDbConformance(name: string, makeDb: () => Promise<Db>, dispose: (db: Db) => Promise<void>): void {
  describe(`Db conformance: ${name}`, () => {
    let db: Db;
    let traits: DbKindTraits;

    beforeAll(async () => {
      db = await makeDb();
      const known = DB_KIND_TRAITS[db.kind];
      if (known === undefined) throw new Error(`no DB_KIND_TRAITS for db kind "${db.kind}": add what its booleans and counts read back as`);
      traits = known;
    });
    afterAll(() => dispose(db));
    beforeEach(() => db.exec(SCHEMA));

    const insert = (id: string, name: string | null, qty: number | null = null, flag: boolean | null = null) =>
      db.exec('INSERT INTO conf_items (id, name, qty, flag) VALUES ($1, $2, $3, $4)', [id, name, qty, flag]);
    const ids = async (d: Db = db) => (await d.query<{ id: string }>('SELECT id FROM conf_items ORDER BY id')).map((r) => r.id);

    it('queries with $n params and returns rows as objects keyed by column name', async () => {
      await insert('a', 'alpha', 1);
      await insert('b', 'beta', 2);
      const rows = await db.query('SELECT id, name, qty FROM conf_items WHERE qty >= $1 ORDER BY id', [1]);
      expect(rows).toEqual([
        { id: 'a', name: 'alpha', qty: 1 },
        { id: 'b', name: 'beta', qty: 2 },
      ]);
      await expect(db.query('SELECT id FROM conf_items WHERE id = $1', ['none'])).resolves.toEqual([]);
    });

    it('binds params by number, whatever their order and however often each is used', async () => {
      await db.exec('INSERT INTO conf_items (id, name, qty) VALUES ($2, $1, $3)', ['named', 'key', 7]);
      await expect(db.query('SELECT id, name, qty FROM conf_items')).resolves.toEqual([{ id: 'key', name: 'named', qty: 7 }]);
      // $2 twice, $1 between: each occurrence binds the same value.
      const rows = await db.query('SELECT id FROM conf_items WHERE qty = $2 AND (id = $1 OR name = $1) AND qty <= $2', ['key', 7]);
      expect(rows).toEqual([{ id: 'key' }]);
    });

    it('leaves a $n inside a quoted literal alone', async () => {
      await insert('q', 'quoted');
      await expect(db.query("SELECT '$1' AS lit, name FROM conf_items WHERE id = $1", ['q'])).resolves.toEqual([{ lit: '$1', name: 'quoted' }]);
    });

    it('reports how many rows a statement changed', async () => {
      await expect(insert('a', 'x', 1)).resolves.toEqual({ changes: 1 });
      await insert('b', 'x', 1);
      await insert('c', 'y', 1);
      await expect(db.exec('UPDATE conf_items SET qty = qty + 1 WHERE name = $1', ['x'])).resolves.toEqual({ changes: 2 });
      await expect(db.exec('DELETE FROM conf_items WHERE id = $1', ['none'])).resolves.toEqual({ changes: 0 });
      await expect(db.exec('DELETE FROM conf_items')).resolves.toEqual({ changes: 3 });
    });

    it('runs a script of several statements without params, counting the rows they changed', async () => {
      const res = await db.exec(`
        INSERT INTO conf_items (id, name) VALUES ('s1', 'one');
        INSERT INTO conf_items (id, name) VALUES ('s2', 'two');
        UPDATE conf_items SET qty = 5 WHERE id = 's1';
      `);
      expect(res).toEqual({ changes: 3 });
      await expect(db.query('SELECT id, qty FROM conf_items ORDER BY id')).resolves.toEqual([
        { id: 's1', qty: 5 },
        { id: 's2', qty: null },
      ]);
    });

    it('commits a transaction whose function resolves, and returns its value', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.exec("INSERT INTO conf_items (id) VALUES ('t1')");
        await tx.exec("INSERT INTO conf_items (id) VALUES ('t2')");
        // A transaction sees its own writes.
        return ids(tx);
      });
      expect(value).toEqual(['t1', 't2']);
      await expect(ids()).resolves.toEqual(['t1', 't2']);
    });

    it('rolls a transaction back when its function throws, and rethrows that error', async () => {
      const boom = new Error('changed my mind');
      await expect(
        db.transaction(async (tx) => {
          await tx.exec("INSERT INTO conf_items (id) VALUES ('gone')");
          throw boom;
        }),
      ).rejects.toBe(boom);
      await expect(ids()).resolves.toEqual([]);
    });

    it('rolls back when a statement inside the transaction fails', async () => {
      await insert('dup', null);
      await expect(
        db.transaction(async (tx) => {
          await tx.exec("INSERT INTO conf_items (id) VALUES ('new')");
          await tx.exec("INSERT INTO conf_items (id) VALUES ('dup')");
        }),
      ).rejects.toThrow(/unique|duplicate/i);
      await expect(ids()).resolves.toEqual(['dup']);
    });

    it('reuses the open transaction when transaction() is called inside one', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.exec("INSERT INTO conf_items (id) VALUES ('inner')");
          });
          // The inner call committed nothing of its own: the outer rollback takes its row too.
          await expect(ids(tx)).resolves.toEqual(['inner']);
          throw new Error('roll back everything');
        }),
      ).rejects.toThrow('roll back everything');
      await expect(ids()).resolves.toEqual([]);
    });

    it('keeps calls made outside an open transaction out of it', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => (opened = resolve));
      // 1. A transaction writes a row, then waits.
      const tx = db.transaction(async (t) => {
        await t.exec("INSERT INTO conf_items (id) VALUES ('inside')");
        opened();
        await gate;
        throw new Error('rolled back');
      });
      await isOpen;
      // 2. While it is open, other calls write and read on the db itself (SQLite queues them behind
      //    the transaction; PostgreSQL runs them on another connection).
      const outsideWrite = insert('outside', null);
      const outsideRead = ids();
      // 3. The transaction rolls back: the row written outside it must survive, and the read made
      //    outside must not have seen the uncommitted row.
      setTimeout(release, 20);
      await expect(tx).rejects.toThrow('rolled back');
      await expect(outsideWrite).resolves.toEqual({ changes: 1 });
      expect(await outsideRead).not.toContain('inside');
      await expect(ids()).resolves.toEqual(['outside']);
    });

    it('lets a transaction handle be closed without closing the db', async () => {
      await db.transaction(async (tx) => {
        await tx.close();
        await tx.exec("INSERT INTO conf_items (id) VALUES ('still-open')");
      });
      await expect(ids()).resolves.toEqual(['still-open']);
    });

    it('round-trips unicode text unchanged', async () => {
      const text = "Ünïcødé — 日本語のショット 🎬 'quoted' \"double\" \\ back";
      await insert('u', text);
      await expect(db.query('SELECT name FROM conf_items WHERE name = $1', [text])).resolves.toEqual([{ name: text }]);
    });

    it('round-trips NULLs as null, from params and from SQL', async () => {
      await insert('n1', null, null, null);
      await db.exec("INSERT INTO conf_items (id, name) VALUES ('n2', NULL)");
      await expect(db.query('SELECT id, name, qty, flag FROM conf_items ORDER BY id')).resolves.toEqual([
        { id: 'n1', name: null, qty: null, flag: null },
        { id: 'n2', name: null, qty: null, flag: null },
      ]);
      await expect(db.query('SELECT id FROM conf_items WHERE name IS NULL ORDER BY id')).resolves.toEqual([{ id: 'n1' }, { id: 'n2' }]);
    });

    it('binds booleans and reads a BOOLEAN column back as the kind documents (sqlite 1/0, postgres true/false)', async () => {
      await insert('yes', null, null, true);
      await insert('no', null, null, false);
      const rows = await db.query<{ id: string; flag: unknown }>('SELECT id, flag FROM conf_items ORDER BY id');
      expect(rows).toEqual([
        { id: 'no', flag: traits.falseValue },
        { id: 'yes', flag: traits.trueValue },
      ]);
      // Either way the value is truthy exactly when true was stored, and a boolean param matches it.
      expect(rows.map((r) => Boolean(r.flag))).toEqual([false, true]);
      await expect(db.query('SELECT id FROM conf_items WHERE flag = $1', [true])).resolves.toEqual([{ id: 'yes' }]);
    });

    it('returns integers as numbers, and COUNT(*) as the kind documents (sqlite number, postgres string)', async () => {
      await insert('a', null, 2_000_000_000);
      await insert('b', null, -5);
      await insert('c', null, 0);
      await expect(db.query('SELECT qty FROM conf_items ORDER BY id')).resolves.toEqual([{ qty: 2_000_000_000 }, { qty: -5 }, { qty: 0 }]);
      const [{ n }] = await db.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM conf_items');
      expect(n).toBe(traits.countOfThree);
      expect(Number(n)).toBe(3);
    });

    it('rejects bad SQL with the driver\'s message naming what is wrong', async () => {
      const err = await db.query('SELEC id FROM conf_items').catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/syntax error/i);
      expect((err as Error).message).toContain('"SELEC"');
      await expect(db.exec('INSERT INTO no_such_table (id) VALUES ($1)', ['x'])).rejects.toThrow(/no_such_table/);
    });

    it('runs a write in the background: committed once it resolves, and a bad one rejects naming what is wrong', async () => {
      await expect(db.execInBackground('INSERT INTO conf_items (id, name, qty, flag) VALUES ($1, $2, $3, $4)', ['bg', 'x'.repeat(200_000), 7, true])).resolves.toEqual({ changes: 1 });
      const [row] = await db.query<{ id: string; len: number; flag: unknown }>('SELECT id, LENGTH(name) AS len, flag FROM conf_items WHERE id = $1', ['bg']);
      expect(row).toEqual({ id: 'bg', len: 200_000, flag: traits.trueValue });
      await expect(db.execInBackground('INSERT INTO conf_items (id) VALUES ($1)', ['bg'])).rejects.toThrow(/unique|constraint|duplicate/i);
      await expect(db.execInBackground('INSERT INTO no_such_table (id) VALUES ($1)', ['x'])).rejects.toThrow(/no_such_table/);
    });

    it('rejects a $n beyond the params given, naming the placeholder', async () => {
      const sql = 'SELECT id FROM conf_items WHERE id = $1 AND name = $2 AND qty = $3';
      // SQLite: the Db's own message; PostgreSQL: "bind message supplies 2 parameters, but prepared statement "" requires 3".
      const expected = db.kind === 'sqlite' ? `SQL refers to $3 but 2 param(s) were given: ${sql}` : /supplies 2 parameters.*requires 3/;
      await expect(db.query(sql, ['a', 'b'])).rejects.toThrow(expected);
      await expect(db.exec('DELETE FROM conf_items WHERE id = $1')).rejects.toThrow(/\$1/);
    });
  });
}
