import { type Db } from '@junction/core';
import { alreadyExists, checkFrameRange, notFound } from './errors';
import { type HistoryEntry, type NewShot, type Project, type Sequence, type Shot } from './model';
import { checkTransition, type Status } from './transitions';

// The shots service's SQL, one function per thing it does. Every function takes the Db (or the
// transaction) to run on; refusals are ServiceErrors, anything else the database throws is left
// to become INTERNAL.

type ShotRow = {
  project: string;
  sequence: string;
  code: string;
  frame_in: number;
  frame_out: number;
  description: string | null;
  status: Status;
  revision: number;
  created_at: string;
  updated_at: string;
};

const SHOT_COLUMNS = 'project, sequence, code, frame_in, frame_out, description, status, revision, created_at, updated_at';

function toShot(r: ShotRow): Shot {
  const shot: Shot = {
    project: r.project,
    sequence: r.sequence,
    code: r.code,
    frameIn: r.frame_in,
    frameOut: r.frame_out,
    frames: r.frame_out - r.frame_in + 1,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.description !== null) shot.description = r.description;
  return shot;
}

export async function createProject(db: Db, code: string, name: string, now: string): Promise<Project> {
  // ON CONFLICT DO NOTHING (both databases): a duplicate is a change count of 0, not a driver error to decode.
  const { changes } = await db.exec('INSERT INTO shots_projects (code, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [code, name, now]);
  if (changes === 0) throw alreadyExists.project(code);
  return { code, name, createdAt: now };
}

export async function listProjects(db: Db): Promise<Project[]> {
  const rows = await db.query<{ code: string; name: string; created_at: string }>('SELECT code, name, created_at FROM shots_projects ORDER BY code');
  return rows.map((r) => ({ code: r.code, name: r.name, createdAt: r.created_at }));
}

export async function requireProject(db: Db, project: string): Promise<void> {
  const rows = await db.query('SELECT 1 AS found FROM shots_projects WHERE code = $1', [project]);
  if (rows.length === 0) throw notFound.project(project);
}

async function requireSequence(db: Db, project: string, sequence: string): Promise<void> {
  const rows = await db.query('SELECT 1 AS found FROM shots_sequences WHERE project = $1 AND code = $2', [project, sequence]);
  if (rows.length === 0) throw notFound.sequence(project, sequence);
}

export function createSequence(db: Db, project: string, code: string, now: string): Promise<Sequence> {
  return db.transaction(async (tx) => {
    await requireProject(tx, project);
    const { changes } = await tx.exec('INSERT INTO shots_sequences (project, code, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [project, code, now]);
    if (changes === 0) throw alreadyExists.sequence(project, code);
    return { project, code, createdAt: now };
  });
}

export function createShot(db: Db, s: NewShot, by: string, now: string): Promise<Shot> {
  checkFrameRange(s.project, s.code, s.frameIn, s.frameOut);
  return db.transaction(async (tx) => {
    await requireProject(tx, s.project);
    await requireSequence(tx, s.project, s.sequence);
    const { changes } = await tx.exec(
      `INSERT INTO shots_shots (${SHOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 'waiting', 0, $7, $7) ON CONFLICT DO NOTHING`,
      [s.project, s.sequence, s.code, s.frameIn, s.frameOut, s.description ?? null, now],
    );
    if (changes === 0) throw alreadyExists.shot(s.project, s.code);
    // Revision 0 of the history records who created the shot.
    await insertHistory(tx, s.project, s.code, 0, null, 'waiting', undefined, by, now);
    return getShot(tx, s.project, s.code);
  });
}

async function findShot(db: Db, project: string, code: string): Promise<ShotRow> {
  const [row] = await db.query<ShotRow>(`SELECT ${SHOT_COLUMNS} FROM shots_shots WHERE project = $1 AND code = $2`, [project, code]);
  if (row === undefined) throw notFound.shot(project, code);
  return row;
}

export async function getShot(db: Db, project: string, code: string): Promise<Shot> {
  return toShot(await findShot(db, project, code));
}

export async function listShots(db: Db, filter: { project: string; sequence?: string; status?: Status }): Promise<Shot[]> {
  await requireProject(db, filter.project);
  if (filter.sequence !== undefined) await requireSequence(db, filter.project, filter.sequence);
  const where = ['project = $1'];
  const params: unknown[] = [filter.project];
  if (filter.sequence !== undefined) where.push(`sequence = $${params.push(filter.sequence)}`);
  if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
  const rows = await db.query<ShotRow>(`SELECT ${SHOT_COLUMNS} FROM shots_shots WHERE ${where.join(' AND ')} ORDER BY sequence, code`, params);
  return rows.map(toShot);
}

export interface StatusChange {
  project: string;
  code: string;
  status: Status;
  note?: string;
}

/** Moves a shot to a new status if the transition table allows it; answers the shot and where it came from. */
export function setStatus(db: Db, change: StatusChange, by: string, now: string): Promise<{ shot: Shot; from: Status }> {
  const { project, code, status: to, note } = change;
  return db.transaction(async (tx) => {
    // Compare-and-set on the revision: on PostgreSQL a concurrent change to the same shot makes
    // the UPDATE match nothing, and the transition is checked again against the status it left.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const row = await findShot(tx, project, code);
      checkTransition(project, code, row.status, to);
      const { changes } = await tx.exec(
        'UPDATE shots_shots SET status = $1, revision = revision + 1, updated_at = $2 WHERE project = $3 AND code = $4 AND revision = $5',
        [to, now, project, code, row.revision],
      );
      if (changes === 1) {
        await insertHistory(tx, project, code, row.revision + 1, row.status, to, note, by, now);
        return { shot: toShot({ ...row, status: to, revision: row.revision + 1, updated_at: now }), from: row.status };
      }
    }
    throw new Error(`shot ${code} of project ${project} kept changing under setStatus; gave up after 5 attempts`);
  });
}

async function insertHistory(db: Db, project: string, shot: string, revision: number, from: Status | null, to: Status, note: string | undefined, by: string, at: string) {
  await db.exec(
    'INSERT INTO shots_history (project, shot, revision, from_status, to_status, note, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [project, shot, revision, from, to, note ?? null, by, at],
  );
}

export async function history(db: Db, project: string, code: string): Promise<HistoryEntry[]> {
  await findShot(db, project, code);
  const rows = await db.query<{ from_status: Status | null; to_status: Status; note: string | null; changed_by: string; changed_at: string }>(
    'SELECT from_status, to_status, note, changed_by, changed_at FROM shots_history WHERE project = $1 AND shot = $2 ORDER BY revision',
    [project, code],
  );
  return rows.map((r) => {
    const entry: HistoryEntry = { from: r.from_status, to: r.to_status, changedBy: r.changed_by, changedAt: r.changed_at };
    if (r.note !== null) entry.note = r.note;
    return entry;
  });
}

/** Per status, how many shots; and the frame count of each shot that is not omitted. */
export async function statusCounts(db: Db, project: string): Promise<{ counts: Partial<Record<Status, number>>; frames: number[] }> {
  await requireProject(db, project);
  // COUNT(*) is a number on SQLite and a string on PostgreSQL (int8): Number() for both.
  const counts = await db.query<{ status: Status; n: number | string }>('SELECT status, COUNT(*) AS n FROM shots_shots WHERE project = $1 GROUP BY status', [project]);
  const frames = await db.query<{ frames: number }>(
    "SELECT frame_out - frame_in + 1 AS frames FROM shots_shots WHERE project = $1 AND status <> 'omitted' ORDER BY sequence, code",
    [project],
  );
  return { counts: Object.fromEntries(counts.map((r) => [r.status, Number(r.n)])), frames: frames.map((r) => Number(r.frames)) };
}
