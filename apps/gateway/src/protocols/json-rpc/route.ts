import { JunctionError } from '@junction/core';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { DISCOVER } from '../discovery/openrpc';
import { rpcDiscover } from '../discovery/routes';
import { JSON_UTF8, type ProtocolDeps } from '../protocol';
import { refusalOf } from '../../refusals';
import { createDispatcher, firstService, refusal } from './dispatch';

/**
 * `POST /rpc`. Every answer with a body is a JSON-RPC response at HTTP 200, including refusals of
 * the whole request (body too large, wrong content type, unknown API key, bad timeout header): a
 * JSON-RPC client reads the error code from the body, and most treat any other status as a bare
 * transport failure and drop the body. Nothing to answer (notifications only) is HTTP 204.
 * `rpc.discover` answers with the OpenRPC document (../discovery); other `rpc.*` names are reserved.
 */
export async function jsonRpcRoutes(app: FastifyInstance, deps: ProtocolDeps): Promise<void> {
  const { edge, config } = deps;
  const dispatch = createDispatcher<FastifyRequest>({ invoke: edge.invoke, maxBatch: config.maxBatch, reserved: { [DISCOVER]: rpcDiscover(deps) } });

  app.setErrorHandler((err, request, reply) => {
    const { error } = refusalOf(err, request, edge, config.bodyLimit);
    if (!reply.hasHeader('traceparent')) reply.header('traceparent', edge.trace(request.headers));
    if (error.code === 'OVERLOADED') reply.header('retry-after', '1');
    return reply.code(200).header('content-type', JSON_UTF8).send(refusal(error));
  });

  app.post('/rpc', async (request, reply) => {
    const traceparent = edge.trace(request.headers, firstService(request.body));
    reply.header('traceparent', traceparent);
    const meta = edge.meta(request.headers, traceparent);
    if (request.body === undefined) throw new JunctionError('PARSE_ERROR', 'the body is empty; send a JSON-RPC request object or a batch array');
    const outcome = await dispatch(request.body, meta, request);
    if (outcome.overloaded) reply.header('retry-after', '1');
    if (outcome.body === undefined) return reply.code(204).send();
    return reply.header('content-type', JSON_UTF8).send(outcome.body);
  });

  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: '/rpc',
    handler: (request, reply) =>
      reply
        .code(405)
        .header('allow', 'POST')
        .header('content-type', JSON_UTF8)
        .send(refusal({ code: 'INVALID_REQUEST', message: `JSON-RPC calls are sent with POST /rpc, not ${request.method}` })),
  });
}
