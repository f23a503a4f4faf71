import { randomBytes } from 'node:crypto';
import { describeDbConformance } from './db.conformance';
import { type Db } from './db';
import { createPostgresDb } from './postgres';

// Against the real server (DESIGN.md: never a mock). Each run works in a schema of its own, so
// parallel runs never see each other's tables or rows.
const url = process.env.JUNCTION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `junction_t_${randomBytes(6).toString('hex')}`;
let admin: Db;

beforeAll(async () => {
  admin = createPostgresDb({ type: 'postgres', url, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
});
afterAll(async () => {
  await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.close();
});

describeDbConformance(
  `postgres (schema ${schema})`,
  async () => createPostgresDb({ type: 'postgres', url, schema, poolSize: 4 }),
  (db) => db.close(),
);

describe('postgres schema option', () => {
  it('puts every pooled connection in the schema, so unqualified names resolve there', async () => {
    const db = createPostgresDb({ type: 'postgres', url, schema, poolSize: 3 });
    try {
      await db.exec('CREATE TABLE IF NOT EXISTS where_am_i (id TEXT PRIMARY KEY)');
      // Hold three connections at once: each must report the schema, not only the first.
      const paths = await Promise.all(
        [1, 2, 3].map(() => db.transaction(async (tx) => (await tx.query<{ s: string }>('SELECT current_schema() AS s'))[0].s)),
      );
      expect(paths).toEqual([schema, schema, schema]);
      const [{ n }] = await admin.query<{ n: string }>('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
        schema,
        'where_am_i',
      ]);
      expect(Number(n)).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('refuses a schema name that would need quoting, and a url that sets options as well', () => {
    expect(() => createPostgresDb({ type: 'postgres', url, schema: 'Bad Name' })).toThrow(
      'postgres db: schema must be a lower-case identifier (letters, digits, _), got "Bad Name"',
    );
    expect(() => createPostgresDb({ type: 'postgres', url: `${url}?options=-c%20search_path%3Dx`, schema: 'x' })).toThrow(
      "postgres db: give the schema either as `schema` or in the url's `options` parameter, not both",
    );
  });
});
