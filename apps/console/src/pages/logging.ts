import { isLogLevel, LOG_LEVELS } from '@junction/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsolePage, ConsolePageContext } from '../page';
import { caller, crossSite, field, formatDuration, type PanelError, panelError, settle, statusOf, wantsJson } from './obs-shared';

/** `logging.getLevels` (docs/logging.md). */
interface Levels {
  nodes: { id: string; name: string; role: string; levels: Record<string, string> }[];
  overrides: { service: string; level: string; setAt: number; expiresAt?: number }[];
}

interface SetResult {
  service: string;
  level: string;
  expiresAt?: number;
  /** The ids of the nodes hosting the service when it was set. */
  nodes: string[];
}

/** How long a change may take to show in `getLevels` before the page is shown anyway: it goes over the bus, then a heartbeat. */
const REFLECT_WITHIN_MS = 3000;
const REFLECT_POLL_MS = 100;
const FORM = 'application/x-www-form-urlencoded';

/** One row of the table: a service, its level on each node, and the override in force. */
interface Row {
  service: string;
  cells: { nodeId: string; level: string }[];
  /** The level the form starts at: the override's, or the first node's. */
  selected: string;
  override?: { level: string; until: string };
}

/** A ttl as typed: ms as a bare number, or with a unit (`90s`, `10m`, `2h`); empty for none. */
export function parseTtl(text: string): number | undefined | { problem: string } {
  if (text === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/i.exec(text);
  const scale: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
  const ms = m === null ? NaN : Math.round(Number(m[1]) * scale[(m[2] ?? 'ms').toLowerCase()]);
  if (!(ms >= 1)) return { problem: `revert after: expected milliseconds (e.g. 600000) or a number with a unit (90s, 10m, 2h), got "${text}"` };
  return ms;
}

function rows(levels: Levels, now: number): { columns: Levels['nodes']; rows: Row[]; idle: string[] } {
  // Gateways host no service: a column of dashes would say nothing.
  const columns = levels.nodes.filter((n) => Object.keys(n.levels).length > 0);
  const services = [...new Set(columns.flatMap((n) => Object.keys(n.levels)))].sort();
  return {
    columns,
    idle: levels.nodes.filter((n) => Object.keys(n.levels).length === 0).map((n) => `${n.name} (${n.role})`),
    rows: services.map((service) => {
      const cells = columns.map((n) => ({ nodeId: n.id, level: n.levels[service] ?? '' }));
      const o = levels.overrides.find((x) => x.service === service);
      return {
        service,
        cells,
        selected: o?.level ?? cells.find((c) => c.level !== '')?.level ?? 'info',
        ...(o === undefined ? {} : { override: { level: o.level, until: o.expiresAt === undefined ? 'until changed' : `reverts in ${formatDuration(Math.max(0, o.expiresAt - now))}` } }),
      };
    }),
  };
}

/** Whether every node that hosts `service` now runs it at `level`; the names of those that do not yet. */
function pending(levels: Levels, service: string, level: string, ids?: readonly string[]): string[] {
  return levels.nodes.filter((n) => (ids === undefined ? n.levels[service] !== undefined : ids.includes(n.id)) && n.levels[service] !== level).map((n) => n.name);
}

async function render(ctx: ConsolePageContext, request: FastifyRequest, reply: FastifyReply, extra: { status?: number; error?: PanelError; form?: Record<string, string> } = {}) {
  const read = await settle(caller(ctx, request)<Levels>('logging.getLevels'));
  const query = request.query as Record<string, unknown>;
  const data: Record<string, unknown> = { levels: LOG_LEVELS, error: extra.error, action: `${ctx.prefix}/logging`, form: extra.form };
  if (read.error !== undefined) {
    data.readError = read.error;
    return reply.code(extra.status ?? statusOf(read.error)).view('logging.njk', data);
  }
  Object.assign(data, rows(read.value, Date.now()));
  // After a change (POST/redirect/GET): say what the cluster shows now, not what was asked.
  const set = field(query.set);
  const level = field(query.level);
  if (set !== '' && isLogLevel(level)) data.notice = { service: set, level, pending: pending(read.value, set, level) };
  return reply.code(extra.status ?? 200).view('logging.njk', data);
}

async function change(ctx: ConsolePageContext, request: FastifyRequest, reply: FastifyReply) {
  const json = wantsJson(request);
  const fail = (status: number, error: PanelError, form?: Record<string, string>) =>
    json ? reply.code(status).send({ error }) : render(ctx, request, reply, { status, error, form });
  if (crossSite(request)) return fail(403, { code: 'FORBIDDEN', message: 'a log level can only be changed from the console itself, not from another site' });

  const body = (request.body ?? {}) as Record<string, unknown>;
  const form = { service: field(body.service), level: field(body.level), ttlMs: field(body.ttlMs) };
  const problems: string[] = [];
  if (form.service === '') problems.push('service: required');
  if (!isLogLevel(form.level)) problems.push(`level: expected one of ${LOG_LEVELS.join(', ')}, got "${form.level}"`);
  const ttl = parseTtl(form.ttlMs);
  if (typeof ttl === 'object') problems.push(ttl.problem);
  if (problems.length > 0) return fail(400, { code: 'INVALID_PARAMS', message: problems.join('; ') }, form);

  const call = caller(ctx, request);
  let result: SetResult;
  try {
    result = await call<SetResult>('logging.setLevel', { service: form.service, level: form.level, ...(typeof ttl === 'number' ? { ttlMs: ttl } : {}) });
  } catch (err) {
    const error = panelError(err);
    return fail(statusOf(error), error, form);
  }
  // The command goes over the bus and each node's next heartbeat shows it: read back until the
  // nodes that host the service say so, for a few seconds at most.
  let levels: Levels | undefined;
  const until = Date.now() + REFLECT_WITHIN_MS;
  for (;;) {
    levels = (await settle(call<Levels>('logging.getLevels'))).value;
    if ((levels !== undefined && pending(levels, result.service, result.level, result.nodes).length === 0) || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, REFLECT_POLL_MS));
  }
  if (json) {
    const row = levels === undefined ? undefined : rows(levels, Date.now()).rows.find((r) => r.service === result.service);
    return reply.send({ service: result.service, level: result.level, row, pending: levels === undefined ? undefined : pending(levels, result.service, result.level, result.nodes) });
  }
  const params = new URLSearchParams({ set: result.service, level: result.level });
  return reply.redirect(`${ctx.prefix}/logging?${params.toString()}#service-${encodeURIComponent(result.service)}`, 303);
}

/** Form posts without JS: `a=1&b=2`, parsed here unless the console already parses them. */
function parseForms(scope: FastifyInstance): void {
  if (scope.hasContentTypeParser(FORM)) return;
  scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/**
 * `/logging`: each service's level on each node (`logging.getLevels`), and a form per service that
 * sets it (`logging.setLevel`, as the user: it takes the `operator` role), then redirects back.
 */
export const logging: ConsolePage = async (app, ctx) => {
  app.get('/logging', (request, reply) => render(ctx, request, reply));
  // A scope of its own, so that the form parser added here stays with this route.
  await app.register(async (scope) => {
    parseForms(scope);
    scope.post('/logging', (request, reply) => change(ctx, request, reply));
  });
};
