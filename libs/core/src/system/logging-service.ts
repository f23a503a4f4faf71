import { Type } from '@sinclair/typebox';
import { JunctionError } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../logging';
import { defineService, method } from '../service';
import { type Membership } from './membership';

const Level = Type.Union(
  LOG_LEVELS.map((l) => Type.Literal(l)),
  { description: 'A pino level: fatal, error, warn, info, debug, trace or silent.' },
);
const Override = Type.Object({
  service: Type.String(),
  level: Level,
  setAt: Type.Integer({ description: 'Epoch ms when it was asked for; the later of two wins.' }),
  expiresAt: Type.Optional(Type.Integer({ description: "Epoch ms when it reverts to the nodes' level." })),
});

/** The longest ttl: an override meant to be temporary should not outlive a working week by accident. */
const MAX_TTL_MS = 7 * 24 * 3600_000;

/**
 * Log levels per service, read and set at runtime across the cluster. `setLevel` publishes a
 * command on the bus: every node applies it to the services it hosts, within a moment, and
 * reverts it itself after `ttlMs`.
 */
export function createLoggingService(membership: Membership) {
  return defineService({
    name: 'logging',
    version: '1.0.0',
    description: "Each service's log level on each node, and changing it at runtime on every node that hosts it.",
    methods: {
      getLevels: method({
        description: "Each service's level on each node heard from (heartbeats) and this one, and the overrides in force.",
        safe: true,
        params: {},
        result: Type.Object({
          nodes: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), role: Type.String(), levels: Type.Record(Type.String(), Level) })),
          overrides: Type.Array(Override),
        }),
        handler: () => ({
          nodes: membership.nodes().map(({ id, name, role, levels }) => ({ id, name, role, levels })),
          overrides: membership.overrides(),
        }),
      }),
      setLevel: method({
        description:
          "Sets a service's log level on every node hosting it, without restart, within about a second; with `ttlMs` it reverts to the nodes' configured level by itself. Nodes that start later learn it from the others' heartbeats.",
        access: ['operator'],
        params: {
          service: Type.String({ minLength: 1, description: 'The service, e.g. shots.' }),
          level: Level,
          ttlMs: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TTL_MS, description: 'Reverts after this long.' })),
        },
        result: Type.Object({
          service: Type.String(),
          level: Level,
          setAt: Type.Integer(),
          expiresAt: Type.Optional(Type.Integer()),
          nodes: Type.Array(Type.String(), { description: 'The ids of the nodes known to host the service now.' }),
        }),
        examples: [{ title: 'Debug lines of shots for a minute', args: { service: 'shots', level: 'debug', ttlMs: 60_000 } }],
        handler: async ({ service, level, ttlMs }, ctx) => {
          const hosts = membership.nodes().filter((n) => n.services.includes(service));
          if (hosts.length === 0) {
            const known = [...new Set(membership.nodes().flatMap((n) => n.services))].sort();
            throw new JunctionError('METHOD_NOT_FOUND', `logging.setLevel: no node hosts a service named "${service}"; the nodes heard from host: ${known.join(', ') || '(none)'}`);
          }
          const o = await membership.setLevel(service, level as LogLevel, ttlMs);
          // Who changed what, on the node that took the call (the others only see the command); at warn,
          // so that it is kept where only warnings are.
          ctx.log.warn({ target: service, level, ttlMs, by: ctx.caller.identity }, `log level of ${service} set to ${level} on every node${ttlMs === undefined ? '' : ` for ${ttlMs} ms`}`);
          return { ...o, nodes: hosts.map((n) => n.id) };
        },
      }),
    },
  });
}
