import type { MethodSummary, QueueStats } from '@junction/core';
import type { FastifyRequest } from 'fastify';
import type { ConsolePage, ConsolePageContext } from '../page';
import { caller, formatCount, formatDuration, formatMs, formatRate, formatTime, type PanelError, settle, statusOf } from './obs-shared';



/**
 * What the page shows, already formatted: the server renders it, and `/metrics.json` sends the
 * same object to the page's script, which only puts the strings in place.
 */
export interface MetricsView {
  updatedAt: string;
  methods?: {
    /** The nodes whose calls are counted: one id, or how many and which. */
    nodes: string;
    seconds: number;
    rows: { method: string; calls: string; rate: string; errors: string; errorShare: string; p50: string; p99: string; failing: boolean }[];
  };
  methodsError?: PanelError;
  queues?: {
    /** The nodes listed, each with its uptime: `a@host:1 (up 5 min)`. */
    nodes: string;
    rows: { node: string; name: string; inFlight: string; waiting: string; accepted: string; rejected: string; expired: string; meanWait: string; maxWait: string; full: boolean; busy: boolean }[];
  };
  queuesError?: PanelError;
}

function methodRows(methods: readonly MethodSummary[]) {
  return [...methods]
    .sort((a, b) => a.method.localeCompare(b.method))
    .map((m) => ({
      method: m.method,
      calls: formatCount(m.calls),
      rate: formatRate(m.perSecond),
      errors: formatCount(m.errors),
      errorShare: m.calls === 0 || m.errors === 0 ? '' : `${((m.errors / m.calls) * 100).toFixed(m.errors * 1000 < m.calls ? 2 : 1)}%`,
      p50: formatMs(m.p50Ms),
      p99: formatMs(m.p99Ms),
      failing: m.errors > 0,
    }));
}

function queueRows(nodes: readonly NodeQueues[]) {
  return nodes.flatMap(({ node, queues }) => queues.map((q) => queueRow(node, q)));
}

function queueRow(node: string, q: QueueStats) {
  return {
    node,
    name: q.name,
    inFlight: `${formatCount(q.inFlight)} / ${formatCount(q.maxInFlight)}`,
    waiting: `${formatCount(q.waiting)} / ${formatCount(q.maxWaiting)}`,
    accepted: formatCount(q.accepted),
    rejected: formatCount(q.rejected),
    expired: formatCount(q.expired),
    // Every accepted call counts, those that never waited too: the wait a call could expect.
    meanWait: formatMs(q.accepted === 0 ? 0 : q.waitMsTotal / q.accepted),
    maxWait: formatMs(q.waitMsMax),
    full: q.maxWaiting > 0 ? q.waiting >= q.maxWaiting : q.inFlight >= q.maxInFlight,
    busy: q.waiting > 0,
  };
}

/** One node's queues, as `management.queues` lists them. */
interface NodeQueues {
  node: string;
  uptimeMs: number;
  queues: QueueStats[];
}

/** Asks the platform for both summaries at once; either may fail alone, and shows as its own panel. */
export async function metricsView(ctx: ConsolePageContext, request: FastifyRequest): Promise<MetricsView> {
  const call = caller(ctx, request);
  // Both tables cover every node (management.*, from the nodes' heartbeats): the methods'
  // figures added up, the queues listed with the node each is on.
  const [metrics, health] = await Promise.all([
    settle(call<{ nodes: string[]; seconds: number; methods: MethodSummary[] }>('management.metrics')),
    settle(call<NodeQueues[]>('management.queues')),
  ]);
  const view: MetricsView = { updatedAt: formatTime(Date.now()) };
  if (metrics.error !== undefined) view.methodsError = metrics.error;
  else view.methods = { nodes: nodeList(metrics.value.nodes), seconds: metrics.value.seconds, rows: methodRows(metrics.value.methods) };
  if (health.error !== undefined) view.queuesError = health.error;
  else view.queues = { nodes: health.value.map((n) => `${n.node} (up ${formatDuration(n.uptimeMs)})`).join(', ') || 'no node', rows: queueRows(health.value) };
  return view;
}

function nodeList(ids: readonly string[]): string {
  if (ids.length === 0) return 'no node';
  return ids.length === 1 ? ids[0] : `${ids.length} nodes (${[...ids].sort().join(', ')})`;
}

/** The status of a page whose every call failed; a page with something to show is a 200. */
function statusOfView(view: MetricsView): number {
  return view.methodsError !== undefined && view.queuesError !== undefined ? statusOf(view.methodsError) : 200;
}

/**
 * `/metrics`: per method req/s, p50, p99 and errors across the nodes (`management.metrics`), and every node's
 * queues (`management.queues`), rendered on the server and refreshed every 2 s by `metrics.js` from
 * `/metrics.json`.
 */
export const metrics: ConsolePage = (app, ctx) => {
  app.get('/metrics', async (request, reply) => {
    const view = await metricsView(ctx, request);
    return reply.code(statusOfView(view)).view('metrics.njk', { ...view, json: `${ctx.prefix}/metrics.json` });
  });
  app.get('/metrics.json', async (request, reply) => {
    const view = await metricsView(ctx, request);
    return reply.code(statusOfView(view)).header('cache-control', 'no-store').send(view);
  });
};
