import { type Static, Type } from '@junction/core';
import { STATUSES, type Status } from './transitions';

// The shapes of the shots service's params and results, shared by its methods and its fake.

export const ProjectCode = Type.String({
  pattern: '^[a-z][a-z0-9]{1,15}$',
  description: 'A project code: a lower-case letter, then 1 to 15 lower-case letters or digits, e.g. "dune".',
});
export const SequenceCode = Type.String({ pattern: '^sq[0-9]{3,4}$', description: 'A sequence code: "sq" and 3 or 4 digits, e.g. "sq010".' });
export const ShotCode = Type.String({ pattern: '^sh[0-9]{4}$', description: 'A shot code: "sh" and 4 digits, e.g. "sh0010"; unique in its project.' });
// An enum rather than a union of literals: one clear validation error instead of one per status.
export const StatusSchema = Type.Unsafe<Status>({ type: 'string', enum: [...STATUSES], description: `One of ${STATUSES.join(', ')}.` });
// INTEGER on both databases is 32-bit on PostgreSQL: keep frame numbers well inside it.
export const Frame = Type.Integer({ minimum: 0, maximum: 9_999_999 });
export const Note = Type.String({ maxLength: 2000 });
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC.' });

export const ProjectSchema = Type.Object({ code: ProjectCode, name: Type.String(), createdAt: Timestamp });
export const SequenceSchema = Type.Object({ project: ProjectCode, code: SequenceCode, createdAt: Timestamp });
export const ShotSchema = Type.Object({
  project: ProjectCode,
  sequence: SequenceCode,
  code: ShotCode,
  frameIn: Frame,
  frameOut: Frame,
  frames: Type.Integer({ minimum: 1, description: 'frameOut - frameIn + 1: both ends are included.' }),
  description: Type.Optional(Type.String()),
  status: StatusSchema,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const HistoryEntrySchema = Type.Object({
  from: Type.Union([StatusSchema, Type.Null()], { description: 'null for the entry that records the shot being created.' }),
  to: StatusSchema,
  note: Type.Optional(Type.String()),
  changedBy: Type.String({ description: "The caller's identity." }),
  changedAt: Timestamp,
});
export const StatsSchema = Type.Object({
  project: ProjectCode,
  shots: Type.Integer({ minimum: 0 }),
  byStatus: Type.Object(Object.fromEntries(STATUSES.map((s) => [s, Type.Integer({ minimum: 0 })])) as Record<Status, ReturnType<typeof Type.Integer>>),
  frames: Type.Integer({ minimum: 0, description: 'Total frames of the shots that are not omitted.' }),
});

export type Project = Static<typeof ProjectSchema>;
export type Sequence = Static<typeof SequenceSchema>;
export type Shot = Static<typeof ShotSchema>;
export type HistoryEntry = Static<typeof HistoryEntrySchema>;
export type Stats = Static<typeof StatsSchema>;

/** What a new shot is made from (the `create` method's params). */
export interface NewShot {
  project: string;
  sequence: string;
  code: string;
  frameIn: number;
  frameOut: number;
  description?: string;
}
