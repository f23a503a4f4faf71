import { JunctionError, type WireError } from '@junction/core';
import { type FastifyInstance, type FastifyReply } from 'fastify';
import { type ProtocolDeps, serviceOf } from '../protocol';
import { refusalOf } from '../../refusals';
import { faultResponse, methodResponse, readMethodCall } from './codec';
import { createXmlRpcDispatcher } from './dispatch';
import { faultOf } from './errors';

/** The media types read as XML-RPC. */
export const XML_TYPES = ['text/xml', 'application/xml'];
const XML_UTF8 = 'text/xml; charset=utf-8';

/**
 * `POST /RPC2`. Every answer is a `<methodResponse>` at HTTP 200, faults included (the XML-RPC
 * convention: clients read the fault from the body), and so are refusals of the whole request
 * (body too large, wrong content type, unknown API key, bad timeout header, malformed XML).
 *
 * The XML body parser is registered in this plugin's scope only: other routes keep refusing XML.
 */
export async function xmlRpcRoutes(app: FastifyInstance, { edge, catalog, config }: ProtocolDeps): Promise<void> {
  const dispatch = createXmlRpcDispatcher({ invoke: edge.invoke, catalog, maxBatch: config.maxBatch, wire: edge.wire });

  // Read as one string; the XML is parsed in the handler (the Deserializer is asynchronous).
  app.addContentTypeParser(XML_TYPES, { parseAs: 'string', bodyLimit: config.bodyLimit }, (_request, body, done) => done(null, new XmlText(body as string)));

  const fault = (reply: FastifyReply, error: WireError) => {
    if (error.code === 'OVERLOADED') reply.header('retry-after', '1');
    return reply.code(200).header('content-type', XML_UTF8).send(faultResponse(faultOf(error)));
  };

  app.setErrorHandler((err, request, reply) => {
    const { error } = refusalOf(err, request, edge, config.bodyLimit);
    if (!reply.hasHeader('traceparent')) reply.header('traceparent', edge.trace(request.headers));
    if ((err as { code?: unknown }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') error.message = notXml(request.headers['content-type']);
    return fault(reply, error);
  });

  app.post('/RPC2', async (request, reply) => {
    if (!(request.body instanceof XmlText)) throw new JunctionError('INVALID_REQUEST', notXml(request.headers['content-type']));
    if (request.body.text.trim() === '') throw new JunctionError('PARSE_ERROR', 'the body is empty; send an XML-RPC <methodCall>');
    const call = await readMethodCall(request.body.text, config.maxDepth);
    // Read first, so that a new trace is sampled by its service's rate (refusals get a traceparent from the error handler).
    const traceparent = edge.trace(request.headers, serviceOf(call.method));
    reply.header('traceparent', traceparent);
    const meta = edge.meta(request.headers, traceparent);
    const outcome = await dispatch(call.method, call.params, meta);
    if ('error' in outcome) return fault(reply, outcome.error);
    let xml: string;
    try {
      xml = methodResponse(outcome.result);
    } catch (err) {
      throw new JunctionError('INTERNAL', `the result of ${call.method} cannot be written as XML-RPC: ${(err as Error).message}`);
    }
    return reply.header('content-type', XML_UTF8).send(xml);
  });

  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: '/RPC2',
    handler: (request, reply) =>
      reply
        .code(405)
        .header('allow', 'POST')
        .header('content-type', XML_UTF8)
        .send(faultResponse(faultOf({ code: 'INVALID_REQUEST', message: `XML-RPC calls are sent with POST /RPC2, not ${request.method}`, retryable: false }))),
  });
}

/** The raw body, so the handler tells an XML body from one the inherited JSON parser read. */
class XmlText {
  constructor(readonly text: string) {}
}

function notXml(type: string | undefined): string {
  const what = type === undefined ? 'the request has no Content-Type' : `Content-Type ${JSON.stringify(type)} is not accepted here`;
  return `${what}; send the XML-RPC <methodCall> with "Content-Type: text/xml" (or application/xml)`;
}
