import { sep } from 'node:path';
import { type CallMeta, type ErrorCode, isJunctionError, JunctionError, type MethodDescription, type ParamDescription, type ServiceDescription, type WireError } from '@junction/core';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { coercerCache, type Query } from '../json/coerce';
import { jsonError } from '../json/errors';
import { type ProtocolDeps } from '../protocol';
import { genericView, type GenericView } from './generic';
import { GATEWAY_VIEWS, type Templates } from './templates';

export const HTML_UTF8 = 'text/html; charset=utf-8';

/** A link of the navigation: a service's view index, or one of its views. */
export interface ViewLink {
  name: string;
  description: string;
  href: string;
  current: boolean;
}

/** What every page's template gets, the layout's navigation included. */
export interface PageContext {
  title: string;
  /** Every service, linking to its views. Empty when the catalog could not be asked. */
  services: ViewLink[];
  /** The current service's safe methods; links carry the args of this page that they take too. */
  views: ViewLink[];
  /** The current service's name, when the page is about one. */
  service?: string;
  request: { path: string; url: string; query: Query };
}

/** What a method's template (or `generic.njk`) gets. */
export interface ViewContext extends PageContext {
  service: string;
  method: MethodDescription;
  /** The method's params by name: `params.status.schema.enum` lists a select's options. */
  params: Record<string, ParamDescription>;
  /** The args the method was called with, coerced from the query string. */
  args: Record<string, unknown>;
  result: unknown;
  /** The same call on `/api/...`, answering JSON. */
  jsonHref: string;
  /** Set for `generic.njk` only. */
  generic?: GenericView;
}

export interface ErrorContext extends PageContext {
  status: number;
  code: ErrorCode;
  message: string;
  /** `details` as indented JSON, when the error has any; never a stack. */
  details?: string;
}

/** What `index.njk` gets: the services, or one service's views. */
export interface IndexContext extends PageContext {
  /** The service's description, on a service's index. */
  about?: string;
}

/** Renders pages for browsers; every failure becomes an HTML error page at the status of its code. */
export interface HtmlPages {
  /** `service.method` called with the query string, its result rendered through its template or a generic view. */
  view(request: FastifyRequest, reply: FastifyReply, service: string, method: string): Promise<FastifyReply>;
  /** The services (without `service`) or one service's views. */
  index(request: FastifyRequest, reply: FastifyReply, service?: string): Promise<FastifyReply>;
  error(request: FastifyRequest, reply: FastifyReply, err: unknown, status?: number): Promise<FastifyReply>;
}

// After these the catalog is not asked for the navigation of the error page: it would fail or wait alike.
const NO_NAVIGATION = new Set<string>(['TIMEOUT', 'UNAVAILABLE', 'OVERLOADED', 'INTERNAL', 'UNAUTHENTICATED']);

export const viewHref = (service: string, method?: string, args?: Record<string, unknown>): string => {
  const path = method === undefined ? `/view/${encodeURIComponent(service)}` : `/view/${encodeURIComponent(service)}/${encodeURIComponent(method)}`;
  const query = args === undefined ? '' : toQuery(args);
  return query === '' ? path : `${path}?${query}`;
};

export function createHtmlPages({ edge, catalog, config, templates }: ProtocolDeps & { templates: Templates }): HtmlPages {
  const coercerOf = coercerCache(config.maxDepth);
  // Requests get their meta once; an error page asks the catalog with it only if the call got that far.
  const metas = new WeakMap<FastifyRequest, CallMeta>();

  const begin = (request: FastifyRequest, reply: FastifyReply, service: string | undefined): CallMeta => {
    const traceparent = edge.trace(request.headers, service);
    reply.header('traceparent', traceparent);
    const meta = edge.meta(request.headers, traceparent);
    metas.set(request, meta);
    return meta;
  };

  const send = async (reply: FastifyReply, page: string, context: PageContext, status = 200) => {
    const html = await reply.viewAsync(page, context);
    return reply.code(status).header('content-type', HTML_UTF8).send(html);
  };

  const navigation = async (request: FastifyRequest, meta: CallMeta, service?: string, current?: string, args: Record<string, unknown> = {}) => {
    const all = await catalog.services(meta);
    const services = all.map((s) => ({ name: s.name, description: s.description, href: viewHref(s.name), current: s.name === service }));
    const own = all.find((s) => s.name === service);
    const views = own === undefined ? [] : viewsOf(own, current, args);
    return { services, views, request: requestOf(request) };
  };

  // Anything thrown on the way to a page: a JunctionError keeps its code; a template's mistake is
  // INTERNAL naming the template; anything else is logged and INTERNAL (edge.wire).
  const wireOf = (err: unknown, request: FastifyRequest): WireError => {
    const where = `rendering ${request.url.split('?')[0]}`;
    if (!isJunctionError(err) && err instanceof Error && isTemplateError(err)) {
      edge.wire(err, where);
      // The gateway's own templates by name, not by where the gateway is installed.
      const text = err.message.split(`${GATEWAY_VIEWS}${sep}`).join('').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
      return { code: 'INTERNAL', message: `the page's template could not be rendered: ${text}`, retryable: false };
    }
    return edge.wire(err, where);
  };

  const fail = async (request: FastifyRequest, reply: FastifyReply, wire: WireError, status?: number, service?: string): Promise<FastifyReply> => {
    const out = jsonError(wire, status);
    const { code, message, details } = out.body.error;
    if (code === 'OVERLOADED') reply.header('retry-after', '1');
    if (out.status === 401) reply.header('www-authenticate', 'Bearer');
    const meta = metas.get(request);
    const bare = { services: [], views: [], request: requestOf(request) };
    const nav = meta !== undefined && !NO_NAVIGATION.has(code) ? await navigation(request, meta, service).catch(() => bare) : bare;
    const context: ErrorContext = {
      ...nav,
      title: `${out.status} ${code}`,
      // Linked only when the catalog knows it: an error page must not link to another 404.
      service: nav.services.some((s) => s.current) ? service : undefined,
      status: out.status,
      code,
      message,
      ...(details === undefined || code === 'INTERNAL' ? {} : { details: JSON.stringify(details, null, 2) }),
    };
    try {
      return await send(reply, 'error.njk', context, out.status);
    } catch (renderErr) {
      // The error page itself failed (a broken gateway install): plain text still says what happened.
      edge.wire(renderErr, 'rendering error.njk');
      return reply.code(out.status).header('content-type', 'text/plain; charset=utf-8').send(`${out.status} ${code}: ${message}\n`);
    }
  };

  return {
    async view(request, reply, service, method) {
      try {
        const meta = begin(request, reply, service);
        const info = await catalog.method(service, method, meta);
        if (!info.safe) {
          reply.header('allow', 'POST');
          const message = `${service}.${method} is not marked safe to call by GET (it may change state), so it has no view; send POST /api/${service}/${method} with the args as a JSON body`;
          return await fail(request, reply, { code: 'INVALID_REQUEST', message, data: { method: `${service}.${method}`, use: 'POST' } }, 405, service);
        }
        const args = coercerOf(service, info)(formQuery(request.query as Query));
        const answer = await edge.invoke(service, method, args, meta);
        if (answer.error !== undefined) return await fail(request, reply, answer.error, undefined, service);
        const page = info.template === undefined ? 'generic.njk' : await templates.name(service, info.template, meta);
        const context: ViewContext = {
          ...(await navigation(request, meta, service, method, args)),
          title: `${service}.${method}`,
          service,
          method: info,
          params: Object.fromEntries(info.params.map((p) => [p.name, p])),
          args,
          jsonHref: `/api/${encodeURIComponent(service)}/${encodeURIComponent(method)}${queryPart(request.url)}`,
          result: answer.result ?? null,
          ...(info.template === undefined ? { generic: genericView(answer.result, info.result) } : {}),
        };
        return await send(reply, page, context);
      } catch (err) {
        return fail(request, reply, wireOf(err, request), undefined, service);
      }
    },

    async index(request, reply, service) {
      try {
        const meta = begin(request, reply, service);
        const nav = await navigation(request, meta, service);
        const about = nav.services.find((s) => s.current)?.description;
        if (service !== undefined && about === undefined) throw new JunctionError('METHOD_NOT_FOUND', `no service named "${service}"; /view lists the services`);
        const context: IndexContext = { ...nav, title: service ?? 'Services', service, about };
        return await send(reply, 'index.njk', context);
      } catch (err) {
        return fail(request, reply, wireOf(err, request), undefined, service);
      }
    },

    error: (request, reply, err, status) => fail(request, reply, wireOf(err, request), status),
  };
}

function viewsOf(s: ServiceDescription, current: string | undefined, args: Record<string, unknown>): ViewLink[] {
  return s.methods
    .filter((m) => m.safe)
    .map((m) => {
      const names = new Set(m.params.map((p) => p.name));
      const carried = Object.fromEntries(Object.entries(args).filter(([k]) => names.has(k)));
      return { name: m.name, description: m.description, href: viewHref(s.name, m.name, carried), current: m.name === current };
    });
}

const queryPart = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q);
};

function requestOf(request: FastifyRequest): PageContext['request'] {
  const url = request.url;
  const q = url.indexOf('?');
  return { path: q < 0 ? url : url.slice(0, q), url, query: (request.query ?? {}) as Query };
}

/**
 * A form sends its empty fields as `name=`: for a page, an empty field means "not given", so an
 * optional filter left blank is absent rather than an invalid empty value.
 */
function formQuery(query: Query): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(query ?? {})) {
    if (Array.isArray(v)) {
      const kept = v.filter((x) => x !== '');
      if (kept.length > 0) out[k] = kept;
    } else if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

function toQuery(args: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, typeof item === 'string' ? item : JSON.stringify(item));
    else q.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return q.toString();
}

// nunjucks reports a template's mistakes as "Template render error" (naming the line), and a
// missing one as a plain Error "template not found: <name>".
function isTemplateError(err: Error): boolean {
  return err.name === 'Template render error' || err.message.startsWith('template not found: ');
}
