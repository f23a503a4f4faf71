import { Type } from '@sinclair/typebox';
import { JunctionError } from '../errors';
import { type Provider } from '../provider/provider';
import { type ProxyStatus } from '../proxies/proxy';
import { type QueueStats } from '../queue/work-queue';
import { type WindowSummary } from '../metrics/window';
import { defineService, method } from '../service';

export interface SystemInfo {
  /** This node's name, from config. */
  node: string;
  provider: Provider;
  startedAt?: number;
  /** Every queue of the node (transports' too); the provider's own when absent. */
  queues?: () => QueueStats[];
  /** The state of the node's proxy chain (circuits, cache counters): `status()` of the compiled chain. */
  proxies?: () => ProxyStatus[];
  /** The provider's last minute per method (the node's `NodeMetrics.summary`), for `system.metrics`; nothing counted when absent. */
  metrics?: () => WindowSummary;
}

/** A bounded queue's stats on the wire: `system.health` and `management.queues`. */
export const QueueStatsSchema = Type.Object({
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

const MethodSummarySchema = Type.Object({
  method: Type.String({ description: '`service.method`.' }),
  calls: Type.Integer({ description: 'Calls answered in the window, errors included.' }),
  perSecond: Type.Number({ description: 'Calls per second over the window.' }),
  errors: Type.Integer({ description: 'Calls answered with an error, whatever its code.' }),
  p50Ms: Type.Number({ description: 'Median latency in ms, within about 10%.' }),
  p99Ms: Type.Number({ description: '99th percentile latency in ms, within about 10%.' }),
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
      views: method({
        description:
          "A service's nunjucks templates, `{ [path in its views folder]: source }`, as read when it was registered; `{}` when it has none. Gateways render them without the service's code.",
        safe: true,
        params: { service: Type.String({ description: 'The service whose templates to return.' }) },
        result: Type.Record(Type.String(), Type.String()),
        examples: [{ args: { service: 'shots' } }],
        handler: ({ service }) => {
          if (!provider.has(service)) throw new JunctionError('METHOD_NOT_FOUND', `no service named "${service}" on node ${info.node}; system.describe lists those it hosts`);
          return provider.views(service);
        },
      }),
      metrics: method({
        description:
          "This node's calls over the last minute, per method: calls per second, p50 and p99 latency, errors. It counts the calls this node's provider answered: in a cluster each worker answers for itself (the one the call reached).",
        safe: true,
        params: {},
        result: Type.Object({
          node: Type.String(),
          seconds: Type.Integer({ description: 'How many seconds the figures cover: 60, or less while the node is younger than a minute.' }),
          methods: Type.Array(MethodSummarySchema),
        }),
        handler: () => ({ node: info.node, ...(info.metrics?.() ?? { seconds: 0, methods: [] }) }),
      }),
      whoami: method({
        description:
          'Who the caller is, as the gateway identified them from their API key: identity and roles (`anonymous` and none without a key). The console signs people in with it.',
        safe: true,
        params: {},
        result: Type.Object({
          identity: Type.String(),
          roles: Type.Array(Type.String()),
        }),
        examples: [{ args: {} }],
        handler: (_args, ctx) => ({ identity: ctx.caller.identity, roles: [...ctx.caller.roles] }),
      }),
      health: method({
        description: "This node's health: uptime, hosted services, the state of their queues and of its proxies (circuits, cache).",
        safe: true,
        params: {},
        result: Type.Object({
          status: Type.Literal('ok'),
          node: Type.String(),
          pid: Type.Integer(),
          uptimeMs: Type.Integer(),
          services: Type.Array(Type.String()),
          queues: Type.Array(QueueStatsSchema),
          proxies: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }), {
            description: "The node's proxies that have state: each circuit of a circuit-breaker, a cache's backend and counters.",
          }),
        }),
        handler: () => ({
          status: 'ok' as const,
          node: info.node,
          pid: process.pid,
          uptimeMs: Date.now() - startedAt,
          services: provider.services(),
          queues: info.queues?.() ?? provider.queues(),
          proxies: info.proxies?.() ?? [],
        }),
      }),
    },
  });
}
