import { defineService, method, Type } from '@junction/core';

/** A gate a test opens when it wants a call to finish: for provoking full queues. */
export class Gate {
  #open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.#open = resolve));
  entered = 0;
  open(): void {
    this.#open();
  }
}

/** Test services: one guarded by a role, one that holds calls until a gate opens, one that echoes what reaches it. */
export function testServices(gate: Gate = new Gate()) {
  const vault = defineService({
    name: 'vault',
    version: '1.0.0',
    description: 'Open to supervisors only.',
    methods: {
      open: method({
        description: 'Who opened it.',
        access: ['supervisor'],
        params: {},
        result: Type.String(),
        handler: (_args, ctx) => ctx.caller.identity,
      }),
    },
  });
  const slow = defineService({
    name: 'slow',
    version: '1.0.0',
    description: 'Holds calls until the test opens its gate.',
    methods: {
      wait: method({
        description: 'Resolves when the gate opens.',
        safe: true,
        params: {},
        result: Type.Literal('done'),
        handler: async () => {
          gate.entered++;
          await gate.opened;
          return 'done' as const;
        },
      }),
    },
  });
  const echo = defineService({
    name: 'echo',
    version: '1.0.0',
    description: 'Answers with its args, typed, for coercion tests.',
    methods: {
      typed: method({
        description: 'Every JSON type as a param.',
        safe: true,
        params: {
          n: Type.Optional(Type.Number()),
          i: Type.Optional(Type.Integer()),
          b: Type.Optional(Type.Boolean()),
          s: Type.Optional(Type.String()),
          list: Type.Optional(Type.Array(Type.Integer())),
          obj: Type.Optional(Type.Object({ a: Type.Number() })),
          maybe: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
        },
        result: Type.Unknown(),
        handler: (args) => args,
      }),
      caller: method({
        description: "The caller's identity and roles, as the handler sees them.",
        safe: true,
        params: {},
        result: Type.Object({ identity: Type.String(), roles: Type.Array(Type.String()) }),
        handler: (_args, ctx) => ({ identity: ctx.caller.identity, roles: [...ctx.caller.roles] }),
      }),
      fail: method({
        description: 'Throws an unexpected error.',
        params: {},
        result: Type.Null(),
        handler: () => {
          throw new Error('boom: a secret detail');
        },
      }),
      store: method({
        description: 'Not safe: changes state.',
        params: { value: Type.String() },
        result: Type.Null(),
        handler: () => null,
      }),
    },
  });
  return { vault, slow, echo, gate };
}
