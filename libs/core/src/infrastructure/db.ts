/** A row as the driver returns it, column name to value. */
export type Row = Record<string, unknown>;

/**
 * The `db` infrastructure: one small interface over SQLite on a desk and PostgreSQL in
 * production. Placeholders are `$1, $2, ...` for both.
 */
export interface Db {
  /** Which kind backs it (`sqlite`, `postgres`): for the rare query that must differ. */
  readonly kind: string;
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement for its effect. Without params it may hold several statements (schema scripts). */
  exec(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** Runs `fn` in a transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
