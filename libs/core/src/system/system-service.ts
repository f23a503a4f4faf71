import { Type } from '@sinclair/typebox';
import { JunctionError } from '../errors';
import { type Provider } from '../provider/provider';
import { defineService, method } from '../service';

export interface SystemInfo {
  /** This node's name, from config. */
  node: string;
  provider: Provider;
  startedAt?: number;
}

const QueueStatsSchema = Type.Object({
  name: Type.String(),
  inFlight: Type.Integer(),
  waiting: Type.Integer(),
  maxInFlight: Type.Integer(),
  maxWaiting: Type.Integer(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  completed: Type.Integer(),
  expired: Type.Integer(),
  waitMsTotal: Type.Number(),
  waitMsMax: Type.Number(),
});

/** "Everything as a service": the platform describes itself through a service of its own. */
export function createSystemService(info: SystemInfo) {
  const startedAt = info.startedAt ?? Date.now();
  const { provider } = info;
  const find = (full: string) => {
    const [service, name] = full.split('.', 2);
    const s = provider.describe().find((d) => d.name === service);
    const m = s?.methods.find((x) => x.name === name);
    if (m === undefined) throw new JunctionError('METHOD_NOT_FOUND', `no method "${full}" on node ${info.node}; system.listMethods names them all`);
    return m;
  };
  return defineService({
    name: 'system',
    version: '1.0.0',
    description: 'The platform itself: the services and methods a node hosts, their documentation and its health.',
    methods: {
      describe: method({
        description: 'Every hosted service with its methods, schemas, examples and flags; or only the one named.',
        safe: true,
        params: { service: Type.Optional(Type.String({ description: 'Only this service.' })) },
        result: Type.Array(Type.Unknown()),
        examples: [{ title: 'One service', args: { service: 'calc' } }],
        handler: ({ service }) => {
          const all = provider.describe();
          if (service === undefined) return all;
          const one = all.filter((d) => d.name === service);
          if (one.length === 0) throw new JunctionError('METHOD_NOT_FOUND', `no service named "${service}" on node ${info.node}`);
          return one;
        },
      }),
      listMethods: method({
        description: 'The names of every method, as `service.method`.',
        safe: true,
        params: {},
        result: Type.Array(Type.String()),
        handler: () => provider.describe().flatMap((s) => s.methods.map((m) => `${s.name}.${m.name}`)),
      }),
      methodHelp: method({
        description: "A method's description.",
        safe: true,
        params: { method: Type.String({ description: 'As `service.method`.' }) },
        result: Type.String(),
        examples: [{ args: { method: 'calc.subtract' } }],
        handler: ({ method: full }) => find(full).description,
      }),
      health: method({
        description: "This node's health: uptime, hosted services and the state of their queues.",
        safe: true,
        params: {},
        result: Type.Object({
          status: Type.Literal('ok'),
          node: Type.String(),
          pid: Type.Integer(),
          uptimeMs: Type.Integer(),
          services: Type.Array(Type.String()),
          queues: Type.Array(QueueStatsSchema),
        }),
        handler: () => ({
          status: 'ok' as const,
          node: info.node,
          pid: process.pid,
          uptimeMs: Date.now() - startedAt,
          services: provider.services(),
          queues: provider.queues(),
        }),
      }),
    },
  });
}
