import { join } from 'node:path';
import { defineService, method, ServiceError, Type } from '@junction/core';

/** Where `crew`'s templates are: roster.njk (extends the layout, includes ./member.njk) and broken.njk. */
export const CREW_VIEWS = join(__dirname, 'views');

const Member = Type.Object({ name: Type.String(), role: Type.String(), seat: Type.Optional(Type.Integer()), tags: Type.Optional(Type.Array(Type.String())) });

/**
 * A service for the HTML views: one method with a template, others for each generic view (a
 * table, a definition list, JSON), one that refuses, one with a broken template, one not safe.
 */
export const crew = defineService({
  name: 'crew',
  version: '1.0.0',
  description: 'People of a team, for the HTML view tests.',
  views: CREW_VIEWS,
  methods: {
    roster: method({
      description: 'The members of a team, through its own template.',
      safe: true,
      template: 'roster.njk',
      params: { team: Type.String(), size: Type.Optional(Type.Integer({ minimum: 0 })) },
      result: Type.Array(Member),
      handler: ({ team, size }) =>
        [
          { name: 'Ann', role: 'lead' },
          { name: '<script>alert(1)</script>', role: `of ${team}` },
        ].slice(0, size ?? 2),
    }),
    members: method({
      description: 'Members whose records differ in keys: a table with the union of their keys.',
      safe: true,
      params: { empty: Type.Optional(Type.Boolean()) },
      result: Type.Array(Member),
      handler: ({ empty }) =>
        empty
          ? []
          : [
              { name: 'Ann', role: 'lead', seat: 1 },
              { name: 'Bo', role: '<b>comp</b>', tags: ['nuke', 'houdini'] },
            ],
    }),
    member: method({
      description: 'One member: a definition list.',
      safe: true,
      params: { name: Type.String() },
      result: Member,
      handler: ({ name }) => {
        if (name === 'nobody') throw new ServiceError('NO_SUCH_MEMBER', `no member named ${name}`, { name });
        return { name, role: '<i>guest</i>', tags: ['a', 'b'] };
      },
    }),
    count: method({
      description: 'How many values it was given: a number, shown as JSON.',
      safe: true,
      params: { of: Type.Optional(Type.Array(Type.String())) },
      result: Type.Integer(),
      handler: ({ of }) => of?.length ?? 0,
    }),
    note: method({
      description: 'A string that tries to end the <pre> it is shown in.',
      safe: true,
      params: {},
      result: Type.String(),
      handler: () => '</pre><script>alert(2)</script>',
    }),
    broken: method({
      description: 'A template that fails when rendered.',
      safe: true,
      template: 'broken.njk',
      params: {},
      result: Type.Object({ name: Type.String() }),
      handler: () => ({ name: 'x' }),
    }),
    crash: method({
      description: 'Fails unexpectedly.',
      safe: true,
      params: {},
      result: Type.Null(),
      handler: () => {
        throw new Error('boom: a secret detail');
      },
    }),
    hire: method({
      description: 'Not safe: changes state.',
      params: { name: Type.String() },
      result: Type.Null(),
      handler: () => null,
    }),
  },
});
