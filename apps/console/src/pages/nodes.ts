import type { NodeInfo } from '../docs/platform';
import type { ConsolePage } from '../page';
import { caller, formatAge, formatCount, formatDuration, settle, statusOf } from './obs-shared';


/**
 * Past this, a node has missed a heartbeat (one and a half of the default 5 s interval; nodes are
 * listed until they miss three). The page cannot know a deployment's own `node.heartbeatMs`.
 */
const LATE_MS = 7500;

/** `/nodes`: the cluster's nodes as their heartbeats announce them. */
export const nodes: ConsolePage = (app, ctx) => {
  app.get('/nodes', async (request, reply) => {
    const read = await settle(caller(ctx, request)<NodeInfo[]>('management.nodes'));
    if (read.error !== undefined) return reply.code(statusOf(read.error)).view('nodes.njk', { error: read.error });
    const rows = read.value.map((n) => ({
      id: n.id,
      name: n.name,
      role: n.role,
      where: `${n.host}:${n.pid}`,
      services: [...n.services].sort(),
      version: n.version,
      uptime: formatDuration(n.uptimeMs),
      inFlight: formatCount(n.inFlight),
      heard: n.lastHeardMs === 0 ? 'this node' : formatAge(n.lastHeardMs),
      late: n.lastHeardMs > LATE_MS,
    }));
    const roles = [...new Set(rows.map((r) => r.role))].sort().map((role) => ({ role, count: rows.filter((r) => r.role === role).length }));
    return reply.view('nodes.njk', { rows, roles, servicesHref: `${ctx.prefix}/` });
  });
};
