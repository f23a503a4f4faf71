import { Binary, DateTime, defineService, method, Type } from '@junction/core';

const kind = (v: unknown): string => (v instanceof Date ? 'Date' : v instanceof Uint8Array ? 'Uint8Array' : v === null ? 'null' : typeof v);

/**
 * Dates and bytes in params and results, for the protocol conformance table: each method says
 * or shows what its handler was given, so a test sees the types arrive, not only their text.
 */
export const wireService = defineService({
  name: 'wire',
  version: '1.0.0',
  description: 'Dates and bytes both ways, and the JavaScript types its handlers receive.',
  methods: {
    later: method({
      description: 'The moment `days` days after `when`.',
      safe: true,
      params: { when: DateTime(), days: Type.Integer() },
      result: DateTime(),
      handler: ({ when, days }) => new Date(when.getTime() + days * 86_400_000),
    }),
    reversed: method({
      description: 'The bytes in reverse order.',
      safe: true,
      params: { bytes: Binary() },
      result: Binary(),
      handler: ({ bytes }) => Uint8Array.from(bytes).reverse(),
    }),
    kinds: method({
      description: 'The JavaScript type of each value its handler received, and the moments and byte counts it read from them.',
      safe: true,
      params: {
        when: DateTime(),
        bytes: Binary(),
        events: Type.Array(Type.Object({ at: DateTime(), tag: Type.Optional(Binary()) })),
        maybe: Type.Optional(Type.Union([DateTime(), Type.Null()])),
      },
      result: Type.Object({ kinds: Type.Array(Type.String()), epochs: Type.Array(Type.Number()), byteCounts: Type.Array(Type.Integer()) }),
      handler: ({ when, bytes, events, maybe }) => ({
        kinds: [kind(when), kind(bytes), ...events.flatMap((e) => [kind(e.at), ...(e.tag === undefined ? [] : [kind(e.tag)])]), ...(maybe === undefined ? [] : [kind(maybe)])],
        epochs: [when.getTime(), ...events.map((e) => e.at.getTime()), ...(maybe instanceof Date ? [maybe.getTime()] : [])],
        byteCounts: [bytes.byteLength, ...events.flatMap((e) => (e.tag === undefined ? [] : [e.tag.byteLength]))],
      }),
    }),
  },
});
