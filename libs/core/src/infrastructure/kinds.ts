import { Registry } from '../registry/registry';
import { type Db } from './db';
import { createPostgresDb, type PostgresConfig } from './postgres';
import { createSqliteDb, type SqliteConfig } from './sqlite';

export type DbConfig = SqliteConfig | PostgresConfig;

/** The kinds that can back the `db` infrastructure, keyed by the config's `type`. */
export const dbKinds = new Registry<(config: DbConfig) => Db>('db kind', {
  sqlite: (config) => createSqliteDb(config as SqliteConfig),
  postgres: (config) => createPostgresDb(config as PostgresConfig),
});

export function createDb(config: DbConfig): Db {
  return dbKinds.get(config.type)(config);
}
