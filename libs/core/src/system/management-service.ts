import { type Static, Type } from '@sinclair/typebox';
import { defineService, method } from '../service';
import { type Membership, MISSED_HEARTBEATS } from './membership';

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
    description: 'The state of the cluster: its nodes, as their heartbeats announce them.',
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
    },
  });
}
