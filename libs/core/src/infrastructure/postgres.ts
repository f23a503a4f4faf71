import pg from 'pg';
import { type Db, type Row } from './db';

export interface PostgresConfig {
  type: 'postgres';
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  /**
   * The schema every connection of the pool works in (its `search_path`), e.g. one per test run
   * or per tenant. It must exist already. Absent: the server's default (`"$user", public`).
   */
  schema?: string;
}

/** Schema names `schema` accepts: plain lower-case identifiers, which need no quoting anywhere. */
export const POSTGRES_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPostgresDb(config: PostgresConfig): Db {
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10, options: startupOptions(config) });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);

  const over = (client: pg.Pool | pg.PoolClient, inTx: boolean): Db => ({
    kind: 'postgres',
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const res = await client.query(sql, params as unknown[]);
      return res.rows as T[];
    },
    async exec(sql, params) {
      const res = await client.query(sql, params as unknown[] | undefined);
      // A multi-statement script answers with one result per statement.
      const results = Array.isArray(res) ? (res as pg.QueryResult[]) : [res];
      return { changes: results.reduce((n, r) => n + (r.rowCount ?? 0), 0) };
    },
    // The pg driver is asynchronous already: the event loop never waits on the server.
    execInBackground(sql, params) {
      return this.exec(sql, params);
    },
    async transaction(fn) {
      if (inTx) return fn(over(client, true));
      const conn = await pool.connect();
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, never reuse it.
      let broken: Error | undefined;
      try {
        await conn.query('BEGIN');
        const value = await fn(over(conn, true));
        await conn.query('COMMIT');
        return value;
      } catch (err) {
        await conn.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      } finally {
        conn.release(broken);
      }
    },
    async close() {
      if (!inTx) await pool.end();
    },
  });
  return over(pool, false);
}

// The search_path goes in the startup packet (libpq's `options`), so every pooled connection has
// it from its first statement; a `SET` on the pool's connect event would race the first query.
function startupOptions(config: PostgresConfig): string | undefined {
  if (config.schema === undefined) return undefined;
  if (!POSTGRES_SCHEMA_NAME.test(config.schema)) {
    throw new Error(`postgres db: schema must be a lower-case identifier (letters, digits, _), got ${JSON.stringify(config.schema)}`);
  }
  // pg lets an `options` parameter in the url replace this one: refuse the mix rather than ignore `schema`.
  if (/[?&]options=/.test(config.url)) {
    throw new Error('postgres db: give the schema either as `schema` or in the url\'s `options` parameter, not both');
  }
  return `-c search_path=${config.schema}`;
}
