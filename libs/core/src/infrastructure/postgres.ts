import pg from 'pg';
import { type Db, type Row } from './db';

export interface PostgresConfig {
  type: 'postgres';
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
}

export function createPostgresDb(config: PostgresConfig): Db {
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
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
    async transaction(fn) {
      if (inTx) return fn(over(client, true));
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const value = await fn(over(conn, true));
        await conn.query('COMMIT');
        return value;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    async close() {
      if (!inTx) await pool.end();
    },
  });
  return over(pool, false);
}
