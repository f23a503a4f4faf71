import { type Args, type CallReply, JunctionError, typeOf } from '@junction/core';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { refusalOf } from '../../refusals';
import { prefersHtml } from '../html/accept';
import { type HtmlPages } from '../html/pages';
import { JSON_UTF8, type ProtocolDeps } from '../protocol';
import { coercerCache, type Query } from './coerce';
import { sendJsonError } from './errors';

interface Target {
  Params: { service: string; method: string };
}

/**
 * `POST /api/:service/:method` (the body is the args object) and `GET` of the same for methods
 * marked safe (the query string is the args, coerced by the params' schemas). The reply is the
 * result as JSON; an error is `{"error": {code, message, details}}` at the status of its code.
 * A `GET` whose Accept prefers HTML (a browser's) gets the method's page from `pages` instead.
 */
export async function jsonRoutes(app: FastifyInstance, { edge, catalog, config, pages }: ProtocolDeps & { pages?: HtmlPages }): Promise<void> {
  const coercerOf = coercerCache(config.maxDepth);

  const begin = (request: FastifyRequest, reply: FastifyReply, service: string) => {
    const traceparent = edge.trace(request.headers, service);
    reply.header('traceparent', traceparent);
    return edge.meta(request.headers, traceparent);
  };

  const answer = (reply: FastifyReply, r: CallReply) =>
    r.error === undefined ? reply.header('content-type', JSON_UTF8).send(JSON.stringify(r.result ?? null)) : sendJsonError(reply, r.error);

  app.setErrorHandler((err, request, reply) => {
    const { error, status } = refusalOf(err, request, edge, config.bodyLimit);
    if (!reply.hasHeader('traceparent')) reply.header('traceparent', edge.trace(request.headers));
    return sendJsonError(reply, error, status);
  });

  app.post<Target>('/api/:service/:method', async (request, reply) => {
    const { service, method } = request.params;
    const meta = begin(request, reply, service);
    const body = request.body;
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw new JunctionError('INVALID_REQUEST', `the body must be a JSON object of args by name, e.g. {"minuend": 42, "subtrahend": 23}; got ${typeOf(body)}`, {
        actual: typeOf(body),
      });
    }
    return answer(reply, await edge.invoke(service, method, (body ?? {}) as Args, meta));
  });

  app.get<Target>('/api/:service/:method', async (request, reply) => {
    const { service, method } = request.params;
    // One URL, two representations: caches must key on Accept.
    reply.header('vary', 'Accept');
    if (pages !== undefined && prefersHtml(request.headers.accept)) return pages.view(request, reply, service, method);
    const meta = begin(request, reply, service);
    const info = await catalog.method(service, method, meta);
    if (!info.safe) {
      reply.header('allow', 'POST');
      const message = `${service}.${method} is not marked safe to call by GET (it may change state); send POST /api/${service}/${method} with the args as a JSON body`;
      return sendJsonError(reply, { code: 'INVALID_REQUEST', message, data: { method: `${service}.${method}`, use: 'POST' } }, 405);
    }
    return answer(reply, await edge.invoke(service, method, coercerOf(service, info)(request.query as Query), meta));
  });
}
