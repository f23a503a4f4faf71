import { defineService, method, Type } from '@junction/core';

// Dailies is a client of the shots service: it reaches it only through ctx.call, never its code,
// so the shapes it relies on are declared here, as much of them as it uses.

/** What dailies reads of a shot from `shots.list`. */
interface ListedShot {
  sequence: string;
  code: string;
  frameIn: number;
  frameOut: number;
  description?: string;
}

const Project = Type.String({ minLength: 1, description: 'A project code, e.g. "dune" (the shots service checks it).' });
const Entry = Type.Object({
  sequence: Type.String(),
  code: Type.String(),
  frameIn: Type.Integer(),
  frameOut: Type.Integer(),
  frames: Type.Integer({ description: 'frameOut - frameIn + 1.' }),
  description: Type.Optional(Type.String()),
});

const bySequenceThenCode = (a: ListedShot, b: ListedShot) =>
  a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0;

/** The dailies session: what is up for review, and the supervisor's approvals. */
export const service = defineService({
  name: 'dailies',
  version: '1.0.0',
  description: "The dailies session of a project: the shots up for review, in screening order, and approving them. A client of shots.",
  methods: {
    playlist: method({
      description: 'The shots of a project in review, by sequence then code, with their frame ranges and the total running length in frames.',
      safe: true,
      idempotent: true,
      params: { project: Project },
      result: Type.Object({ project: Type.String(), frames: Type.Integer({ minimum: 0 }), shots: Type.Array(Entry) }),
      examples: [{ args: { project: 'dune' } }],
      handler: async ({ project }, ctx) => {
        const listed = await ctx.call<ListedShot[]>('shots.list', { project, status: 'review' });
        // Screening order is ours to keep, whatever order shots answers in.
        const shots = [...listed].sort(bySequenceThenCode).map((s) => ({
          sequence: s.sequence,
          code: s.code,
          frameIn: s.frameIn,
          frameOut: s.frameOut,
          frames: s.frameOut - s.frameIn + 1,
          ...(s.description === undefined ? {} : { description: s.description }),
        }));
        return { project, frames: shots.reduce((n, s) => n + s.frames, 0), shots };
      },
    }),
    approve: method({
      description:
        "Approves a shot in review (shots.setStatus to approved). The caller is passed on, so the shot's history names who approved it; a shot not in review is refused by shots (FORBIDDEN_TRANSITION).",
      params: { project: Project, code: Type.String({ minLength: 1, description: 'The shot, e.g. "sh0010".' }), note: Type.Optional(Type.String({ maxLength: 2000 })) },
      result: Type.Object({ project: Type.String(), code: Type.String(), status: Type.String() }),
      examples: [{ args: { project: 'dune', code: 'sh0010', note: 'Lovely. Final it.' } }],
      handler: async ({ project, code, note }, ctx) => {
        const shot = await ctx.call<{ status: string }>('shots.setStatus', { project, code, status: 'approved', ...(note === undefined ? {} : { note }) });
        ctx.log.info({ project, shot: code, by: ctx.caller.identity }, 'shot approved in dailies');
        return { project, code, status: shot.status };
      },
    }),
  },
});
