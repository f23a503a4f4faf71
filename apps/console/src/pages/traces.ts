import type { Span, SpanNode } from '@junction/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsolePage, ConsolePageContext } from '../page';
import { caller, field, formatMs, formatTime, type PanelError, panelError, statusOf } from './obs-shared';



const TRACE_ID = /^[0-9a-f]{32}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const LIMITS = [20, 50, 100, 200];
/** How long the not-yet page refreshes itself: spans ship each second, so a trace still missing after this is not coming. */
const WAIT_ATTEMPTS = 15;
const WAIT_SECONDS = 2;

/** The traces list's filters, as the GET form sends them: the URL of a filtered list can be shared. */
interface Filters {
  service: string;
  method: string;
  minMs: string;
  errors: boolean;
  order: 'recent' | 'slowest';
  limit: number;
  follow: boolean;
}

function readFilters(query: Record<string, unknown>): { filters: Filters; problems: string[] } {
  const problems: string[] = [];
  let service = field(query.service);
  let method = field(query.method);
  // `shots.create` typed (or pasted) into the service box means both.
  if (method === '' && service.includes('.')) [service, method] = [service.slice(0, service.indexOf('.')), service.slice(service.indexOf('.') + 1)];
  const minMs = field(query.minMs);
  if (minMs !== '' && !(Number(minMs) >= 0)) problems.push(`min duration: expected a number of milliseconds (0 or more), got "${minMs}"`);
  const limit = Number(field(query.limit) || 50);
  return {
    filters: {
      service,
      method,
      minMs,
      errors: ['1', 'on', 'true'].includes(field(query.errors)),
      order: field(query.order) === 'slowest' ? 'slowest' : 'recent',
      limit: LIMITS.includes(limit) ? limit : 50,
      follow: ['1', 'on', 'true'].includes(field(query.follow)),
    },
    problems,
  };
}

/** The tracing service's query for these filters. */
function spanQuery(f: Filters): Record<string, unknown> {
  const q: Record<string, unknown> = { limit: f.limit };
  if (f.service !== '') q.service = f.service;
  if (f.method !== '') q.method = f.method;
  if (f.minMs !== '' && Number(f.minMs) >= 0) q.minDurationMs = Number(f.minMs);
  if (f.errors) q.error = true;
  return q;
}

/** The list's URL with some filters changed: the table's links narrow what is shown. */
function listUrl(prefix: string, f: Filters, change: Partial<Filters>): string {
  const next = { ...f, ...change };
  const params = new URLSearchParams();
  if (next.service !== '') params.set('service', next.service);
  if (next.method !== '') params.set('method', next.method);
  if (next.minMs !== '') params.set('minMs', next.minMs);
  if (next.errors) params.set('errors', '1');
  if (next.order !== 'recent') params.set('order', next.order);
  if (next.limit !== 50) params.set('limit', String(next.limit));
  if (next.follow) params.set('follow', '1');
  const qs = params.toString();
  return `${prefix}/traces${qs === '' ? '' : `?${qs}`}`;
}

async function list(ctx: ConsolePageContext, request: FastifyRequest, reply: FastifyReply) {
  const query = request.query as Record<string, unknown>;
  // The box "go to a trace": a trace id or a whole traceparent, as a response header gives it.
  const go = field(query.trace).toLowerCase();
  if (go !== '') return reply.redirect(`${ctx.prefix}/traces/${encodeURIComponent(TRACEPARENT.exec(go)?.[1] ?? go)}`, 303);

  const { filters, problems } = readFilters(query);
  let error: PanelError | undefined;
  let spans: Span[] = [];
  if (problems.length > 0) error = { code: 'INVALID_FILTER', message: problems.join('; ') };
  else {
    try {
      spans = await caller(ctx, request)<Span[]>(filters.order === 'slowest' ? 'tracing.slowest' : 'tracing.recent', spanQuery(filters));
    } catch (err) {
      error = panelError(err);
    }
  }
  // Following the list: it reloads itself, with or without JS.
  if (filters.follow && error === undefined) reply.header('refresh', '3');
  const rows = spans.map((s) => ({
    time: formatTime(s.start),
    iso: new Date(s.start).toISOString(),
    traceId: s.traceId,
    href: `${ctx.prefix}/traces/${s.traceId}`,
    name: `${s.service}.${s.method}`,
    narrow: listUrl(ctx.prefix, filters, { service: s.service, method: s.method }),
    node: s.node,
    duration: formatMs(s.durationMs),
    outcome: s.error ?? 'ok',
    reason: s.attrs?.errorReason === undefined ? '' : String(s.attrs.errorReason),
    failed: s.error !== undefined,
  }));
  const status = error === undefined ? 200 : problems.length > 0 ? 400 : statusOf(error);
  return reply.code(status).view('traces.njk', {
    filters,
    limits: LIMITS,
    rows,
    error,
    tabs: {
      recent: listUrl(ctx.prefix, filters, { order: 'recent' }),
      slowest: listUrl(ctx.prefix, filters, { order: 'slowest' }),
    },
    clear: `${ctx.prefix}/traces`,
  });
}

/** A row of the waterfall: one span, at its depth in the tree, its bar placed on the trace's time line. */
interface Row {
  spanId: string;
  parentSpanId: string;
  /** False for a root whose parent is the client's own span (or one not stored). */
  parentShown: boolean;
  depth: number;
  kind: string;
  name: string;
  node: string;
  offsetPct: string;
  widthPct: string;
  duration: string;
  outcome: string;
  failed: boolean;
  queueWait?: string;
  args?: string;
  error?: { code: string; message?: string; reason?: string };
  attrs: { key: string; value: string }[];
}

const pct = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

/** The tree, depth first, as rows of a waterfall against the trace's whole time line. */
export function waterfall(roots: readonly SpanNode[]): { rows: Row[]; totalMs: number; startedAt: number } {
  const flat: { span: SpanNode; depth: number; at: number }[] = [];
  // Starts are whole epoch ms (durations are fractional), and nodes' clocks differ: a child drawn
  // from its own start could begin before its parent or end after it. It is drawn inside.
  const walk = (nodes: readonly SpanNode[], depth: number, within?: { from: number; to: number }) => {
    for (const n of [...nodes].sort((a, b) => a.start - b.start)) {
      const at = within === undefined ? n.start : Math.max(within.from, Math.min(n.start, within.to - n.durationMs));
      flat.push({ span: n, depth, at });
      walk(n.children ?? [], depth + 1, { from: at, to: at + n.durationMs });
    }
  };
  walk(roots, 0);
  if (flat.length === 0) return { rows: [], totalMs: 0, startedAt: 0 };
  // A loop, not Math.min(...spread): a trace of a long batch job can have more spans than a call has room for arguments.
  let t0 = Infinity;
  let end = -Infinity;
  for (const f of flat) {
    t0 = Math.min(t0, f.at);
    end = Math.max(end, f.at + f.span.durationMs);
  }
  // A sub-millisecond trace still gets bars.
  const total = Math.max(end - t0, 0.001);
  const onPage = new Set(flat.map((f) => f.span.spanId));
  const rows = flat.map(({ span: s, depth, at }): Row => {
    const offset = Math.min(((at - t0) / total) * 100, 99.5);
    const width = Math.min(Math.max((s.durationMs / total) * 100, 0.5), 100 - offset);
    const { errorMessage, errorReason, ...attrs } = s.attrs ?? {};
    return {
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? '',
      parentShown: s.parentSpanId !== undefined && onPage.has(s.parentSpanId),
      depth,
      kind: s.kind,
      name: s.kind === 'provider' || s.kind === 'handler' || s.kind === 'gateway' ? `${s.service}.${s.method}` : `${s.name} (${s.service}.${s.method})`,
      node: s.node,
      offsetPct: pct(offset),
      widthPct: pct(width),
      duration: formatMs(s.durationMs),
      outcome: s.error ?? 'ok',
      failed: s.error !== undefined,
      ...(s.queueWaitMs === undefined ? {} : { queueWait: formatMs(s.queueWaitMs) }),
      ...(s.args === undefined ? {} : { args: JSON.stringify(s.args, null, 2) }),
      ...(s.error === undefined
        ? {}
        : { error: { code: s.error, ...(errorMessage === undefined ? {} : { message: String(errorMessage) }), ...(errorReason === undefined ? {} : { reason: String(errorReason) }) } }),
      attrs: Object.entries(attrs).map(([key, value]) => ({ key, value: String(value) })),
    };
  });
  return { rows, totalMs: end - t0, startedAt: t0 };
}

async function trace(ctx: ConsolePageContext, request: FastifyRequest, reply: FastifyReply) {
  const raw = (request.params as { traceId: string }).traceId;
  const traceId = raw.toLowerCase();
  const pasted = TRACEPARENT.exec(traceId);
  if (pasted !== null) return reply.redirect(`${ctx.prefix}/traces/${pasted[1]}`, 303);
  if (!TRACE_ID.test(traceId)) {
    const error = { code: 'INVALID_TRACE_ID', message: `"${raw}" is not a trace id: expected 32 hexadecimal characters (0-9, a-f), the second field of a traceparent, e.g. 4bf92f3577b34da6a3ce929d0e0e4736` };
    return reply.code(400).view('trace.njk', { traceId: raw, error });
  }
  if (traceId !== raw) return reply.redirect(`${ctx.prefix}/traces/${traceId}`, 303);

  let found: { spans: number; roots: SpanNode[] };
  try {
    found = await caller(ctx, request)<{ spans: number; roots: SpanNode[] }>('tracing.get', { traceId });
  } catch (err) {
    const error = panelError(err);
    return reply.code(statusOf(error)).view('trace.njk', { traceId, error });
  }
  if (found.spans === 0) {
    // Not an error: a trace shows up a moment after its call (spans ship each second, after the reply).
    const attempt = Math.max(0, Math.floor(Number(field((request.query as Record<string, unknown>).attempt)) || 0));
    const waiting = attempt < WAIT_ATTEMPTS;
    if (waiting) reply.header('refresh', `${WAIT_SECONDS}; url=${ctx.prefix}/traces/${traceId}?attempt=${attempt + 1}`);
    return reply.code(404).view('trace.njk', { traceId, notYet: { waiting, seconds: WAIT_SECONDS, waitedSeconds: attempt * WAIT_SECONDS, next: `${ctx.prefix}/traces/${traceId}?attempt=${attempt + 1}` } });
  }
  const { rows, totalMs, startedAt } = waterfall(found.roots);
  const root = rows[0];
  return reply.view('trace.njk', {
    traceId,
    rows,
    summary: {
      name: root.name,
      spans: found.spans,
      total: formatMs(totalMs),
      started: formatTime(startedAt),
      startedIso: new Date(startedAt).toISOString(),
      nodes: [...new Set(rows.map((r) => r.node))].join(', '),
      errors: rows.filter((r) => r.failed && r.kind === 'provider').length,
    },
    ticks: [0, 25, 50, 75, 100].map((p) => ({ left: p, label: formatMs((totalMs * p) / 100) })),
  });
}

/**
 * `/traces`: recent and slowest calls, filtered by a GET form (shareable URLs); `/traces/:traceId`:
 * one trace as a waterfall of nested spans.
 */
export const traces: ConsolePage = (app, ctx) => {
  app.get('/traces', (request, reply) => list(ctx, request, reply));
  app.get('/traces/:traceId', (request, reply) => trace(ctx, request, reply));
};
