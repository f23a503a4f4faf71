/** A row as the driver returns it, column name to value. */
export type Row = Record<string, unknown>;

/**
 * The `db` infrastructure: one small interface over SQLite on a desk and PostgreSQL in
 * production. Placeholders are `$1, $2, ...` for both.
 */
export interface Db {
  /** Which kind backs it (`sqlite`, `postgres`): for the rare query that must differ. */
  readonly kind: string;
  /**
   * SQLite with a file: its absolute path, for a thread of the process to open a connection of
   * its own and write there without the event loop (the tracing store's span encoder). Absent
   * for `:memory:` and for other kinds.
   */
  readonly file?: string;
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement for its effect. Without params it may hold several statements (schema scripts). */
  exec(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /**
   * Runs one write statement that nobody needs to read back at once (spans, activity records),
   * off the caller's thread where the kind can: SQLite's driver is synchronous, so there it runs
   * on a connection of its own in another thread. Not ordered with the other calls. A kind that
   * has nothing to gain runs it as `exec`.
   */
  execInBackground(sql: string, params: readonly unknown[]): Promise<{ changes: number }>;
  /** Runs `fn` in a transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
