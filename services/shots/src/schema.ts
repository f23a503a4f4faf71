import { type Db } from '@junction/core';
import { STATUSES } from './transitions';

/**
 * The service's tables, in SQL that SQLite and PostgreSQL both accept: text keys (no
 * AUTOINCREMENT/SERIAL), timestamps as ISO text, statuses checked by the database as well.
 * Names are prefixed so the service can share a database with others.
 */
export const SCHEMA_SQL = `
  CREATE TABLE IF NOT EXISTS shots_projects (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS shots_sequences (
    project TEXT NOT NULL REFERENCES shots_projects (code),
    code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project, code)
  );
  CREATE TABLE IF NOT EXISTS shots_shots (
    project TEXT NOT NULL,
    code TEXT NOT NULL,
    sequence TEXT NOT NULL,
    frame_in INTEGER NOT NULL,
    frame_out INTEGER NOT NULL CHECK (frame_out >= frame_in),
    description TEXT,
    status TEXT NOT NULL CHECK (status IN (${STATUSES.map((s) => `'${s}'`).join(', ')})),
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project, code),
    FOREIGN KEY (project, sequence) REFERENCES shots_sequences (project, code)
  );
  CREATE INDEX IF NOT EXISTS shots_shots_by_status ON shots_shots (project, status);
  CREATE TABLE IF NOT EXISTS shots_history (
    project TEXT NOT NULL,
    shot TEXT NOT NULL,
    revision INTEGER NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (project, shot, revision),
    FOREIGN KEY (project, shot) REFERENCES shots_shots (project, code)
  );
`;

// Once per Db, whoever asks first; the others wait for the same promise.
const ready = new WeakMap<Db, Promise<void>>();

/** Creates the tables on first use of a Db. A failure is not remembered: the next call tries again. */
export function ensureSchema(db: Db): Promise<void> {
  let done = ready.get(db);
  if (done === undefined) {
    done = createSchema(db);
    ready.set(db, done);
    done.catch(() => ready.delete(db));
  }
  return done;
}

async function createSchema(db: Db): Promise<void> {
  try {
    await db.exec(SCHEMA_SQL);
  } catch {
    // Two processes creating the same PostgreSQL table at once can both pass IF NOT EXISTS, and
    // one then fails on the catalogue's unique index. The second try finds the tables there.
    await db.exec(SCHEMA_SQL);
  }
}
