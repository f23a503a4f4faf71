import { describeAll, type HealthInfo, type NodeInfo, type ServiceInfo } from '../docs/platform';
import { type ConsolePage } from '../page';

interface Health {
  /** ok, busy (calls wait for a slot), refusing (its queue has refused calls), unhosted (no node heard from hosts it). */
  state: 'ok' | 'busy' | 'refusing' | 'unhosted' | 'unknown';
  text: string;
}

/** How a service is doing, from the nodes that host it and its queue on the node that answered system.health. */
export function healthOf(service: string, nodes: NodeInfo[] | undefined, health: HealthInfo | undefined): Health {
  if (nodes !== undefined && !nodes.some((n) => n.services.includes(service))) return { state: 'unhosted', text: 'no node heard from hosts it' };
  const queue = health?.queues.find((q) => q.name === `provider queue of ${service}`);
  if (queue === undefined) return nodes === undefined ? { state: 'unknown', text: 'health unknown' } : { state: 'ok', text: 'hosted' };
  const load = `${queue.inFlight}/${queue.maxInFlight} in flight, ${queue.waiting} waiting`;
  if (queue.rejected > 0) return { state: 'refusing', text: `${load}; ${queue.rejected} refused since start (queue full)` };
  if (queue.waiting > 0) return { state: 'busy', text: load };
  return { state: 'ok', text: load };
}

/** The text a query is looked for in, lower-cased; the page's script reads the same from `data-search`. */
export const serviceText = (s: { name: string; description: string }) => `${s.name} ${s.description}`.toLowerCase();
export const methodText = (service: string, m: { name: string; description: string }) => `${service}.${m.name} ${m.description}`.toLowerCase();

/**
 * What the search box finds: services whose name or description match, with all their methods;
 * and services with a matching method, with only those methods.
 */
export function search(services: ServiceInfo[], query: string): { service: ServiceInfo; methods: ServiceInfo['methods']; byMethod: boolean }[] {
  const q = query.trim().toLowerCase();
  const out = [];
  for (const s of services) {
    if (q === '' || serviceText(s).includes(q)) {
      out.push({ service: s, methods: s.methods, byMethod: false });
      continue;
    }
    const methods = s.methods.filter((m) => methodText(s.name, m).includes(q));
    if (methods.length > 0) out.push({ service: s, methods, byMethod: true });
  }
  return out;
}

/** `GET /services`: every service with version, description, methods, hosting nodes and health; `?q=` filters (the page's script filters as you type). */
export const services: ConsolePage = (app, { client }) => {
  app.get<{ Querystring: { q?: string } }>('/services', async (request, reply) => {
    const user = request.consoleUser;
    const q = typeof request.query.q === 'string' ? request.query.q : '';
    // The catalog is needed; nodes and health only add to it, and a page without them still helps.
    const [all, nodes, health] = await Promise.all([
      describeAll(client, user),
      client.call<NodeInfo[]>('management.nodes', {}, { user }).catch((err: unknown) => err as Error),
      client.call<HealthInfo>('system.health', {}, { user }).catch((err: unknown) => err as Error),
    ]);
    const nodeList = nodes instanceof Error ? undefined : nodes;
    const healthInfo = health instanceof Error ? undefined : health;
    const warnings = [nodes, health].filter((x): x is Error => x instanceof Error).map((e) => e.message);
    const sorted = [...all].sort((a, b) => a.name.localeCompare(b.name));
    // Every service is on the page, those the query does not find hidden: the page's script then
    // filters as you type with the same rules, and without a script `?q=` alone does the filtering.
    const found = new Map(search(sorted, q).map((r) => [r.service.name, new Set(r.methods.map((m) => m.name))]));
    const rows = sorted.map((s) => ({
      name: s.name,
      version: s.version,
      description: s.description,
      hidden: !found.has(s.name),
      searchText: serviceText(s),
      methods: s.methods.map((m) => ({
        name: m.name,
        description: m.description,
        hidden: found.has(s.name) && !found.get(s.name)!.has(m.name),
        searchText: methodText(s.name, m),
      })),
      nodes: (nodeList ?? []).filter((n) => n.services.includes(s.name)).map((n) => ({ name: n.name, role: n.role, id: n.id })),
      health: healthOf(s.name, nodeList, healthInfo),
    }));
    return reply.view('services.njk', {
      title: 'Services',
      q,
      rows,
      shown: found.size,
      total: all.length,
      methodCount: all.reduce((n, s) => n + s.methods.length, 0),
      nodeCount: nodeList?.length ?? 0,
      answeredBy: healthInfo?.node ?? '',
      warnings,
    });
  });
};
