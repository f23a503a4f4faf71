import { Binary, DateTime, defineService, method, Type } from '@junction/core';

const Node = Type.Recursive((This) => Type.Object({ name: Type.String(), children: Type.Array(This) }), { description: 'A tree of names.' });

const Shot = Type.Object({
  code: Type.String({ pattern: '^sh[0-9]{4}$' }),
  range: Type.Tuple([Type.Integer(), Type.Integer()], { description: 'First and last frame.' }),
  tags: Type.Array(Type.String(), { uniqueItems: true }),
  note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/**
 * Everything a schema may hold that a document generator could get wrong: nesting, arrays of
 * objects, optional params with defaults, wire types (DateTime, Binary) at every depth, tuples,
 * a recursive type, unions, records, intersections, a method without params, and every flag.
 */
export const hostile = defineService({
  name: 'hostile',
  version: '2.3.4',
  description: 'Schemas that are hard to document. It exists for the discovery tests.',
  methods: {
    nested: method({
      description: 'Deep objects and arrays of objects. Wire types inside them.',
      params: {
        project: Type.Object({
          code: Type.String({ minLength: 1, description: 'The project code.' }),
          sequences: Type.Array(
            Type.Object({
              code: Type.String(),
              shots: Type.Array(Shot),
              due: Type.Optional(DateTime({ description: 'When the sequence is due.' })),
              thumbnail: Type.Optional(Binary({ maxLength: 1000 })),
            }),
          ),
        }),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        mode: Type.Optional(Type.Union([Type.Literal('fast'), Type.Literal('exact')], { default: 'fast' })),
        since: Type.Optional(DateTime({ default: '2020-01-01T00:00:00.000Z' })),
      },
      result: Type.Object({ count: Type.Integer(), when: DateTime(), digest: Binary(), tree: Node, extra: Type.Record(Type.String(), Type.Number()) }),
      examples: [
        {
          title: 'One sequence',
          args: { project: { code: 'dune', sequences: [{ code: 'sq010', shots: [{ code: 'sh0010', range: [1001, 1096], tags: ['hero'] }], due: new Date(Date.UTC(2030, 0, 2)), thumbnail: Uint8Array.of(0, 255) }] }, limit: 10 },
          result: { count: 1, when: new Date(Date.UTC(2030, 0, 2)), digest: Uint8Array.of(1, 2, 3), tree: { name: 'dune', children: [{ name: 'sq010', children: [] }] }, extra: { a: 1 } },
        },
      ],
      handler: ({ project }) => ({
        count: project.sequences.length,
        when: project.sequences[0]?.due ?? new Date(0),
        digest: Uint8Array.of(1, 2, 3),
        tree: { name: project.code, children: project.sequences.map((s) => ({ name: s.code, children: [] })) },
        extra: { a: 1 },
      }),
    }),
    ping: method({
      description: 'No params at all.',
      safe: true,
      params: {},
      result: Type.Literal('pong'),
      examples: [{ args: {}, result: 'pong' as const }],
      handler: () => 'pong' as const,
    }),
    search: method({
      description: 'A safe method whose query string carries every kind of param.',
      safe: true,
      cache: { ttlMs: 5000 },
      timeoutMs: 2000,
      params: {
        text: Type.String(),
        page: Type.Optional(Type.Integer({ default: 1 })),
        exact: Type.Optional(Type.Boolean({ default: false })),
        kinds: Type.Optional(Type.Array(Type.Union([Type.Literal('shot'), Type.Literal('asset')]))),
        filter: Type.Optional(Type.Intersect([Type.Object({ status: Type.String() }), Type.Object({ owner: Type.String() })])),
        after: Type.Optional(Type.Union([DateTime(), Type.Null()])),
      },
      result: Type.Array(Type.Object({ id: Type.String(), score: Type.Number() })),
      handler: () => [],
    }),
    secret: method({
      description: 'Sensitive params, and a role needed.',
      access: ['supervisor', 'admin'],
      sensitive: ['password'],
      params: { user: Type.String(), password: Type.String({ minLength: 8 }) },
      result: Type.Boolean(),
      handler: () => true,
    }),
    spread: method({
      description: 'Variadic, and nothing to return.',
      variadic: true,
      params: { first: DateTime(), rest: Type.Array(Binary()) },
      result: Type.Null(),
      handler: () => null,
    }),
  },
});
