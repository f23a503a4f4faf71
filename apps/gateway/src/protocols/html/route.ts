import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JunctionError } from '@junction/core';
import fastifyView from '@fastify/view';
import { type FastifyInstance } from 'fastify';
import { type ProtocolDeps } from '../protocol';
import { type HtmlPages } from './pages';
import { GATEWAY_VIEWS, type Templates } from './templates';

interface Target {
  Params: { service: string; method: string };
}

export const STYLESHEET = '/view/junction.css';

/**
 * Registers @fastify/view on the app itself (not a child context), so that `reply.viewAsync` is
 * there for `GET /api/...` too when a browser asks for HTML. It renders with our Environment:
 * for nunjucks, @fastify/view calls `engine.configure(templatesDir, options)` and uses what it returns.
 */
export async function useViews(app: FastifyInstance, templates: Templates): Promise<void> {
  // @fastify/view adds an onRequest hook to every route to reset `reply.locals` unless the
  // decorator exists; the JSON and RPC routes should not pay for a hook they never use.
  if (!app.hasReplyDecorator('locals')) app.decorateReply('locals', null);
  await app.register(fastifyView, {
    engine: { nunjucks: { configure: () => templates.env } },
    templates: GATEWAY_VIEWS,
  });
}

/**
 * `GET /view/:service/:method?…`: the method's result as a page (registered with the prefix
 * `/view`); `GET /view` and `GET /view/:service` list services and views; the layout's
 * stylesheet. Anything else under `/view` is an HTML 404.
 */
export async function htmlRoutes(app: FastifyInstance, { pages }: ProtocolDeps & { pages: HtmlPages }): Promise<void> {
  // Read once; a stylesheet of its own (not inline styles) lets a strict Content-Security-Policy stand.
  const css = readFileSync(join(GATEWAY_VIEWS, 'junction.css'), 'utf8');

  app.setNotFoundHandler((request, reply) => {
    const message = `no page at ${request.method} ${request.url.split('?')[0]}; pages are GET /view, /view/<service> and /view/<service>/<method>`;
    return pages.error(request, reply, new JunctionError('METHOD_NOT_FOUND', message));
  });
  app.setErrorHandler((err, request, reply) => pages.error(request, reply, err));

  app.get('/junction.css', (_request, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css));
  app.get('/', (request, reply) => pages.index(request, reply));
  app.get<{ Params: { service: string } }>('/:service', (request, reply) => pages.index(request, reply, request.params.service));
  app.get<Target>('/:service/:method', (request, reply) => pages.view(request, reply, request.params.service, request.params.method));
}
