import { type CallMeta, type CallReply, type CallRequest } from './envelope';
import { envelopeRoundTrip, jsonCodec, roundTrip } from './codec';

// The memory transport's JSON round trip serializes only args and results; the whole envelope's
// trip is the reference it must equal, value for value, error for error.
const whole = envelopeRoundTrip(jsonCodec);
const fast = roundTrip(jsonCodec);

const caller = Object.freeze({ identity: 'artist', roles: Object.freeze(['artist']) });
const metas: CallMeta[] = [
  {},
  { deadline: 1_700_000_000_000, attempt: 1 },
  { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', deadline: 5, caller, attempt: 2, oneWay: true, redelivered: false },
  { caller: undefined, traceparent: undefined, deadline: 7 },
  // Not what the chain makes, but what a caller could hand over: JSON's own rules must apply.
  { deadline: Infinity, attempt: NaN },
  { caller: { identity: 'x', roles: ['a', 1] } } as unknown as CallMeta,
  { caller: { identity: 'x', roles: [], extra: new Date(0) } } as unknown as CallMeta,
  { deadline: 3, extra: { nested: [undefined, () => 1] } } as unknown as CallMeta,
  Object.assign(Object.create({ inherited: 1 }) as CallMeta, { deadline: 3 }),
  { [Symbol('mark')]: true, deadline: 9 } as unknown as CallMeta,
];
const argsList: unknown[] = [
  [42, 23],
  {},
  { when: new Date(0), list: [1, undefined, () => 2], nested: { a: undefined, b: NaN, c: -0 } },
  { big: 'x'.repeat(1000), unicode: 'é ✓ \u2028' },
  { toJSON: () => ({ replaced: true }) },
];
const results: unknown[] = [19, null, undefined, 'text', [1, { a: new Date(0) }], { fn: () => 1, n: Infinity }, () => 1, new Map([[1, 2]])];

function outcome<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() };
  } catch (err) {
    return { error: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
}

describe('the JSON round trip, value by value', () => {
  it('gives what the whole envelope would, for every meta and args', () => {
    for (const meta of metas) {
      for (const args of argsList) {
        const req = { id: 'r1', service: 'calc', method: 'subtract', args, meta } as CallRequest;
        expect(outcome(() => fast.request(req))).toEqual(outcome(() => whole.request(req)));
        // Key order too: a handler that prints its meta sees what a remote one would.
        const [a, b] = [outcome(() => fast.request(req)), outcome(() => whole.request(req))];
        if ('value' in a && 'value' in b) expect(JSON.stringify(a.value)).toBe(JSON.stringify(b.value));
      }
    }
  });

  it('gives what the whole envelope would, for every result and for errors', () => {
    const replies: CallReply[] = [
      ...results.map((result) => ({ id: 'r1', result })),
      { id: 'r2', error: { code: 'SERVICE_ERROR', message: 'no', retryable: false, data: { reason: 'X', when: new Date(0), gone: undefined } } },
    ];
    for (const reply of replies) {
      expect(outcome(() => fast.reply(reply))).toEqual(outcome(() => whole.reply(reply)));
    }
  });

  it('refuses what cannot cross a wire with the same error as the whole trip', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: CallRequest[] = [
      { id: 'r1', service: 's', method: 'm', args: { n: 1n }, meta: {} },
      { id: 'r1', service: 's', method: 'm', args: cyclic, meta: {} },
      { id: 'r1', service: 's', method: 'm', args: undefined, meta: {} } as unknown as CallRequest,
      { id: 'r1', service: 's', method: 'm', args: 'text', meta: {} } as unknown as CallRequest,
      { id: 'r1', service: 's', method: 'm', args: [], meta: { deadline: 1, caller: { identity: 'x', roles: [], n: 1n } } as unknown as CallMeta },
    ];
    for (const req of bad) {
      const expected = outcome(() => whole.request(req));
      expect(expected).toHaveProperty('error');
      expect(outcome(() => fast.request(req))).toEqual(expected);
    }
    expect(outcome(() => fast.reply({ id: 'r1', result: { n: 1n } }))).toEqual({ error: 'INTERNAL: reply r1 cannot be serialized as JSON: Do not know how to serialize a BigInt' });
  });

  it('never shares an object with the caller', () => {
    const args = { list: [1] };
    const meta = { deadline: 1, caller: { identity: 'a', roles: ['r'] } };
    const out = fast.request({ id: 'r1', service: 's', method: 'm', args, meta });
    expect(out.args).not.toBe(args);
    expect((out.args as typeof args).list).not.toBe(args.list);
    expect(out.meta).not.toBe(meta);
    expect(out.meta.caller).not.toBe(meta.caller);
    expect(out.meta.caller!.roles).not.toBe(meta.caller.roles);
  });
});
