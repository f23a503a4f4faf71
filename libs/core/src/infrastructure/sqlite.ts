import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type Db, type Row } from './db';
import { SqliteBackground } from './sqlite-background';

export interface SqliteConfig {
  type: 'sqlite';
  /** A file path (relative to the working directory) or `:memory:`. */
  path: string;
}

/**
 * `$1`-style placeholders rewritten to SQLite's `?`, with the params reordered to match, so that
 * one SQL text serves SQLite and PostgreSQL. Quoted text is left alone.
 */
export function toSqlite(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const out: unknown[] = [];
  const text = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (match, n: string | undefined) => {
    if (n === undefined) return match;
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`SQL refers to $${n} but ${params.length} param(s) were given: ${sql}`);
    out.push(params[index]);
    return '?';
  });
  return { sql: text, params: out.map(toSqliteValue) };
}

// better-sqlite3 binds no booleans; PostgreSQL drivers take them. Store them as 0/1 as SQLite does.
function toSqliteValue(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/**
 * Runs a driver call, re-making its error in this realm when it comes from another. better-sqlite3
 * fixes its error class once per process (on the native addon), so where several realms load it
 * (Jest's test files, vm contexts) a later realm gets errors that are not `instanceof Error`.
 */
function driver<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof Error || typeof err !== 'object' || err === null) throw err;
    const e = err as { message?: unknown; code?: unknown; name?: unknown };
    throw Object.assign(new Error(String(e.message)), { name: typeof e.name === 'string' ? e.name : 'SqliteError', code: e.code });
  }
}

export function createSqliteDb(config: SqliteConfig): Db {
  if (config.path !== ':memory:') mkdirSync(dirname(resolve(config.path)), { recursive: true });
  const db = new Database(config.path);
  db.pragma('journal_mode = WAL');
  // With WAL, NORMAL syncs at checkpoints rather than at every commit: a power cut may lose the
  // last commits but never corrupts the file, and a commit stops costing a disk flush.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A file's checkpoints, and the writes handed to execInBackground, run on a thread of their
  // own (sqlite-background.ts), off the event loop. `:memory:` is one connection's alone.
  let background: SqliteBackground | undefined;
  if (config.path !== ':memory:') {
    db.pragma('wal_autocheckpoint = 0');
    background = new SqliteBackground(resolve(config.path));
  }
  // One connection: while a transaction's async body runs, other calls wait for it, or they would
  // run inside it.
  let lock: Promise<unknown> = Promise.resolve();
  const totalChanges = db.prepare('SELECT total_changes()').pluck();

  const run = {
    query<T extends Row>(sql: string, params: readonly unknown[] = []): T[] {
      const q = toSqlite(sql, params);
      return db.prepare(q.sql).all(...q.params) as T[];
    },
    exec(sql: string, params?: readonly unknown[]): { changes: number } {
      if (params === undefined || params.length === 0) {
        // toSqlite() refuses a $n here with the same message as with params (SQLite's own is
        // "Missing named parameters", since it reads `$1` as a name).
        const stmt = tryPrepare(db, toSqlite(sql, []).sql);
        if (stmt === undefined) {
          // A script: count its changes as PostgreSQL does, the sum over its statements.
          const before = totalChanges.get() as number;
          db.exec(sql);
          return { changes: (totalChanges.get() as number) - before };
        }
        return { changes: stmt.run().changes };
      }
      const q = toSqlite(sql, params);
      return { changes: db.prepare(q.sql).run(...q.params).changes };
    },
  };

  const file = config.path === ':memory:' ? undefined : resolve(config.path);
  const direct = (tx: boolean): Db => ({
    kind: 'sqlite',
    file,
    query: async (sql, params) => (tx ? driver(() => run.query(sql, params)) : lock.then(() => driver(() => run.query(sql, params)))),
    exec: async (sql, params) => (tx ? driver(() => run.exec(sql, params)) : lock.then(() => driver(() => run.exec(sql, params)))),
    transaction: (fn) => (tx ? fn(direct(true)) : transaction(fn)),
    execInBackground: (sql, params) => {
      if (background === undefined || tx) return direct(tx).exec(sql, params);
      try {
        const q = toSqlite(sql, params);
        return background.exec(q.sql, q.params);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    close: async () => {
      // A transaction's handle does not own the connection (as with PostgreSQL); waiting for the
      // lock from inside the transaction would wait for itself.
      if (tx) return;
      await background?.close();
      await lock.catch(() => undefined);
      // The last connection to close checkpoints what is left and removes the WAL.
      db.close();
    },
  });

  function transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const result = lock.catch(() => undefined).then(async () => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(direct(true));
        db.exec('COMMIT');
        return value;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    });
    lock = result.catch(() => undefined);
    return result;
  }

  return direct(false);
}

// A script of several statements cannot be prepared; exec() runs it (without a change count).
function tryPrepare(db: Database.Database, sql: string): Database.Statement | undefined {
  try {
    return db.prepare(sql);
  } catch (err) {
    if (/more than one statement/i.test((err as Error).message)) return undefined;
    throw err;
  }
}
