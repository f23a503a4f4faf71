import { type Static, Type } from '@sinclair/typebox';
import { summarizeDigests } from '../metrics/window';
import { defineService, method } from '../service';
import { type Membership, MISSED_HEARTBEATS } from './membership';
import { QueueStatsSchema } from './system-service';

const ListedNodeSchema = Type.Object({
  id: Type.String({ description: '<name>@<host>:<pid>, unique in the cluster.' }),
  name: Type.String(),
  role: Type.String({ description: 'all, gateway or worker.' }),
  host: Type.String(),
  pid: Type.Integer(),
  version: Type.String(),
  services: Type.Array(Type.String()),
  uptimeMs: Type.Integer(),
  inFlight: Type.Integer(),
  lastHeardMs: Type.Integer({ description: 'How long ago its last heartbeat was sent (0 for this node).' }),
});

/** A node as `management.nodes()` lists it. */
export type ListedNode = Static<typeof ListedNodeSchema>;

/** The cluster's state as the nodes announce it on the bus. */
export function createManagementService(membership: Membership) {
  return defineService({
    name: 'management',
    version: '1.0.0',
    description: 'The state of the cluster: its nodes, their queues and the calls they answered, as their heartbeats announce them.',
    methods: {
      nodes: method({
        description: `Every node heard from within the last ${MISSED_HEARTBEATS} heartbeat intervals (this one included): name, role, services, version, uptime, calls in flight.`,
        safe: true,
        params: {},
        result: Type.Array(ListedNodeSchema),
        handler: () => {
          const now = Date.now();
          return membership.nodes().map(({ id, name, role, host, pid, version, services, uptimeMs, inFlight, sentAt }) => ({
            id,
            name,
            role,
            host,
            pid,
            version,
            services,
            uptimeMs: Math.round(uptimeMs),
            inFlight,
            lastHeardMs: Math.max(0, Math.round(now - sentAt)),
          }));
        },
      }),
      queues: method({
        description: 'Every bounded queue of every node heard from (transports, each service\'s concurrency module): depth now, counts and waits since the node started, as of its last heartbeat (this node: now).',
        safe: true,
        params: {},
        result: Type.Array(
          Type.Object({
            node: Type.String({ description: 'The id of the node the queue is on.' }),
            uptimeMs: Type.Integer(),
            queues: Type.Array(QueueStatsSchema),
          }),
        ),
        handler: () =>
          membership
            .nodes(true)
            .filter((n) => n.queues !== undefined)
            .map((n) => ({ node: n.id, uptimeMs: Math.round(n.uptimeMs), queues: n.queues! })),
      }),
      metrics: method({
        description:
          'Per method, over the last minute, across every node that answered calls: req/s, p50, p99 and errors, added up from the figures each node sent in its last heartbeat (this node: now). The console shows these.',
        safe: true,
        params: {},
        result: Type.Object({
          nodes: Type.Array(Type.String(), { description: 'The ids of the nodes whose figures are in the sums.' }),
          seconds: Type.Integer({ description: 'The longest window of them: 60, or less while every node is younger than a minute.' }),
          methods: Type.Array(
            Type.Object({
              method: Type.String(),
              calls: Type.Integer(),
              perSecond: Type.Number(),
              errors: Type.Integer(),
              p50Ms: Type.Number(),
              p99Ms: Type.Number(),
            }),
          ),
        }),
        handler: () => {
          const reporting = membership.nodes(true).filter((n) => n.metrics !== undefined);
          return { nodes: reporting.map((n) => n.id), ...summarizeDigests(reporting.map((n) => n.metrics!)) };
        },
      }),
    },
  });
}
