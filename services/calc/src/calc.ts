import { defineService, method, ServiceError, Type } from '@junction/core';

const Numbers = Type.Array(Type.Number(), { description: 'Any count of numbers.' });

/**
 * Arithmetic, and the methods the examples of the JSON-RPC 2.0 specification (section 7) call,
 * so that the specification's table runs against a real service.
 */
export const service = defineService({
  name: 'calc',
  version: '1.0.0',
  description: 'Arithmetic for scripts and tests: the smallest real service.',
  methods: {
    subtract: method({
      description: 'The minuend less the subtrahend.',
      idempotent: true,
      safe: true,
      params: { minuend: Type.Number(), subtrahend: Type.Number() },
      result: Type.Number(),
      examples: [{ title: 'By name', args: { minuend: 42, subtrahend: 23 }, result: 19 }],
      handler: ({ minuend, subtrahend }) => minuend - subtrahend,
    }),
    sum: method({
      description: 'The sum of any count of numbers, given by position or as `values`.',
      idempotent: true,
      safe: true,
      variadic: true,
      params: { values: Numbers },
      result: Type.Number(),
      examples: [{ args: { values: [1, 2, 4] }, result: 7 }],
      handler: ({ values }) => values.reduce((a, b) => a + b, 0),
    }),
    divide: method({
      description: 'The dividend divided by the divisor; refuses a divisor of zero.',
      idempotent: true,
      safe: true,
      // A pure function's result never goes stale: the TTL only bounds what the cache holds.
      cache: { ttlMs: 60_000 },
      params: { dividend: Type.Number(), divisor: Type.Number() },
      result: Type.Number(),
      examples: [{ args: { dividend: 1, divisor: 4 }, result: 0.25 }],
      handler: ({ dividend, divisor }) => {
        if (divisor === 0) throw new ServiceError('DIVISION_BY_ZERO', `cannot divide ${dividend} by zero`, { dividend });
        return dividend / divisor;
      },
    }),
    update: method({
      description: 'Accepts numbers and does nothing with them (the specification notifies it).',
      variadic: true,
      params: { values: Numbers },
      result: Type.Null(),
      handler: (_args, ctx) => {
        ctx.log.debug('update received');
        return null;
      },
    }),
    getData: method({
      description: 'A fixed mixed list, as in the specification\'s "get_data".',
      idempotent: true,
      safe: true,
      params: {},
      result: Type.Tuple([Type.String(), Type.Number()]),
      examples: [{ args: {}, result: ['hello', 5] }],
      handler: () => ['hello', 5] as [string, number],
    }),
    notifyHello: method({
      description: 'A notification target of the specification ("notify_hello").',
      variadic: true,
      params: { values: Numbers },
      result: Type.Null(),
      handler: () => null,
    }),
    notifySum: method({
      description: 'A notification target of the specification ("notify_sum").',
      variadic: true,
      params: { values: Numbers },
      result: Type.Null(),
      handler: () => null,
    }),
  },
});
