import { join } from 'node:path';
import { type Context, type Db, defineService, method, Type } from '@junction/core';
import {
  Frame,
  HistoryEntrySchema,
  Note,
  ProjectCode,
  ProjectSchema,
  SequenceCode,
  SequenceSchema,
  ShotCode,
  ShotSchema,
  StatsSchema,
  StatusSchema,
} from './model';
import { ensureSchema } from './schema';
import * as store from './store';
import { STATUSES, type Status, TRANSITIONS } from './transitions';

async function dbOf(ctx: Context): Promise<Db> {
  const db = ctx.infra.db;
  await ensureSchema(db);
  return db;
}

const now = () => new Date().toISOString();

const transitionsText = STATUSES.map((s) => `${s} -> ${TRANSITIONS[s].join(' | ')}`).join('; ');

/**
 * Projects, sequences and shots of a VFX pipeline, each shot with a status that moves through
 * a fixed table of transitions, and a history of who moved it.
 */
export const service = defineService({
  name: 'shots',
  version: '1.0.0',
  description: 'Projects, sequences and shots of the pipeline, with each shot\'s status and its history.',
  requires: ['db'],
  // Beside src/ and dist/ alike: the pages of list and get, rendered by the gateway.
  views: join(__dirname, '..', 'views'),
  methods: {
    createProject: method({
      description: 'Creates a project. Refuses a code already in use (ALREADY_EXISTS).',
      params: { code: ProjectCode, name: Type.String({ minLength: 1, maxLength: 200, description: 'Its full title.' }) },
      result: ProjectSchema,
      examples: [{ title: 'A new show', args: { code: 'dune', name: 'Dune: Part Three' } }],
      handler: async ({ code, name }, ctx) => store.createProject(await dbOf(ctx), code, name, now()),
    }),
    listProjects: method({
      description: 'Every project, by code.',
      safe: true,
      idempotent: true,
      params: {},
      result: Type.Array(ProjectSchema),
      examples: [{ args: {} }],
      handler: async (_args, ctx) => {
        const projects = await store.listProjects(await dbOf(ctx));
        // Seen only when shots' level is debug (logging.setLevel): what a support engineer asks for.
        ctx.log.debug({ count: projects.length }, 'listed projects');
        return projects;
      },
    }),
    createSequence: method({
      description: 'Creates a sequence in a project. Refuses an unknown project (NOT_FOUND) or a code already in use (ALREADY_EXISTS).',
      params: { project: ProjectCode, code: SequenceCode },
      result: SequenceSchema,
      examples: [{ args: { project: 'dune', code: 'sq010' } }],
      handler: async ({ project, code }, ctx) => store.createSequence(await dbOf(ctx), project, code, now()),
    }),
    create: method({
      description:
        'Creates a shot, status waiting, in a sequence of a project. Its frame range is inclusive: frameOut must be at least frameIn (INVALID_FRAME_RANGE).',
      params: {
        project: ProjectCode,
        sequence: SequenceCode,
        code: ShotCode,
        frameIn: Frame,
        frameOut: Frame,
        description: Type.Optional(Type.String({ maxLength: 2000 })),
      },
      result: ShotSchema,
      examples: [{ args: { project: 'dune', sequence: 'sq010', code: 'sh0010', frameIn: 1001, frameOut: 1096, description: 'Worm breach, wide' } }],
      handler: async (args, ctx) => store.createShot(await dbOf(ctx), args, ctx.caller.identity, now()),
    }),
    list: method({
      description: 'The shots of a project, by sequence then code; optionally only one sequence, or only one status.',
      safe: true,
      idempotent: true,
      template: 'shot-list.njk',
      params: { project: ProjectCode, sequence: Type.Optional(SequenceCode), status: Type.Optional(StatusSchema) },
      result: Type.Array(ShotSchema),
      examples: [
        { title: 'Everything', args: { project: 'dune' } },
        { title: 'Waiting for dailies', args: { project: 'dune', status: 'review' } },
      ],
      handler: async (args, ctx) => store.listShots(await dbOf(ctx), args),
    }),
    get: method({
      description: 'One shot; an unknown one is NOT_FOUND.',
      safe: true,
      idempotent: true,
      template: 'shot.njk',
      params: { project: ProjectCode, code: ShotCode },
      result: ShotSchema,
      examples: [{ args: { project: 'dune', code: 'sh0010' } }],
      handler: async ({ project, code }, ctx) => store.getShot(await dbOf(ctx), project, code),
    }),
    setStatus: method({
      description: `Moves a shot to another status, recording who did it and an optional note. Allowed: ${transitionsText}. Anything else is FORBIDDEN_TRANSITION.`,
      // Open to every caller; who moved the shot is in its history.
      params: { project: ProjectCode, code: ShotCode, status: StatusSchema, note: Type.Optional(Note) },
      result: ShotSchema,
      examples: [{ title: 'Send to dailies', args: { project: 'dune', code: 'sh0010', status: 'review', note: 'v003, new dust sim' } }],
      handler: async (args, ctx) => {
        const { shot, from } = await store.setStatus(await dbOf(ctx), args, ctx.caller.identity, now());
        ctx.log.info({ project: args.project, shot: args.code, from, to: args.status, by: ctx.caller.identity }, 'shot status changed');
        return shot;
      },
    }),
    history: method({
      description: "A shot's status changes, oldest first; the first records its creation (from null).",
      safe: true,
      idempotent: true,
      params: { project: ProjectCode, code: ShotCode },
      result: Type.Array(HistoryEntrySchema),
      examples: [{ args: { project: 'dune', code: 'sh0010' } }],
      handler: async ({ project, code }, ctx) => store.history(await dbOf(ctx), project, code),
    }),
    stats: method({
      description: 'How many shots a project has in each status, and the total frames of those not omitted (summed by calc.sum).',
      safe: true,
      idempotent: true,
      params: { project: ProjectCode },
      result: StatsSchema,
      examples: [{ args: { project: 'dune' } }],
      handler: async ({ project }, ctx) => {
        const { counts, frames } = await store.statusCounts(await dbOf(ctx), project);
        const byStatus = Object.fromEntries(STATUSES.map((s) => [s, counts[s] ?? 0])) as Record<Status, number>;
        return {
          project,
          shots: Object.values(byStatus).reduce((a, b) => a + b, 0),
          byStatus,
          frames: await ctx.call<number>('calc.sum', { values: frames }),
        };
      },
    }),
  },
});
