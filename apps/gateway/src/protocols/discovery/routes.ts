import { type CallMeta, type GatewayConfig, JunctionError, type ServiceDescription, typeOf } from '@junction/core';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ServiceCatalog } from '../../catalog';
import { refusalOf } from '../../refusals';
import { sendJsonError } from '../json/errors';
import { type ReservedMethod } from '../json-rpc/dispatch';
import { JSON_UTF8, type ProtocolDeps } from '../protocol';
import { type OpenApiDocument, openApiDocument, withApiServer } from './openapi';
import { DISCOVER, type OpenRpcDocument, openRpcDocument, withServer as withRpcServer } from './openrpc';

/** The machine-readable documentation of the gateway's APIs, generated from the catalog's service descriptions. */
export interface Discovery {
  /** The OpenRPC document of `POST /rpc`; `origin` is where the request came in, e.g. `http://127.0.0.1:8080`. */
  openRpc(meta: CallMeta, origin: string): Promise<OpenRpcDocument>;
  /** The OpenAPI 3.1 document of `/api/{service}/{method}`. */
  openApi(meta: CallMeta, origin: string): Promise<OpenApiDocument>;
}

/**
 * Documents are built once per catalog entry: the catalog hands out the same description list
 * until it refreshes (30 s), so that list keys the cache and a refresh rebuilds them.
 */
export function createDiscovery({ catalog, config }: { catalog: ServiceCatalog; config: GatewayConfig }): Discovery {
  const rpc = new WeakMap<readonly ServiceDescription[], OpenRpcDocument>();
  const api = new WeakMap<readonly ServiceDescription[], OpenApiDocument>();
  const cached = <D>(cache: WeakMap<readonly ServiceDescription[], D>, services: readonly ServiceDescription[], build: () => D): D => {
    let doc = cache.get(services);
    if (doc === undefined) {
      doc = build();
      cache.set(services, doc);
    }
    return doc;
  };
  return {
    async openRpc(meta, origin) {
      const services = await catalog.services(meta);
      return withRpcServer(cached(rpc, services, () => openRpcDocument(services)), `${origin}/rpc`);
    },
    async openApi(meta, origin) {
      const services = await catalog.services(meta);
      return withApiServer(cached(api, services, () => openApiDocument(services, { requireKey: config.requireKey })), origin);
    },
  };
}

// A host name, IPv4 or bracketed IPv6 address, and a port: anything else in a Host header is not echoed into a document.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The scheme and host a client reached the gateway by (`Host`, or `X-Forwarded-Host` and
 * `-Proto` where fastify trusts the proxy), for the documents' `servers`; the configured
 * address when the Host header is missing or not a host.
 */
export function originOf(request: FastifyRequest, config: GatewayConfig): string {
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  const host = request.host;
  if (typeof host === 'string' && HOST.test(host)) return `${protocol}://${host}`;
  const address = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${protocol}://${address}:${config.port}`;
}

/**
 * `GET /openrpc.json` (the document `rpc.discover` answers on `POST /rpc`) and `GET /openapi.json`.
 * They are read with the caller's key like any call: a gateway that requires keys requires one
 * here too. Errors are plain JSON errors.
 */
export async function discoveryRoutes(app: FastifyInstance, { edge, catalog, config }: ProtocolDeps): Promise<void> {
  const discovery = createDiscovery({ catalog, config });

  app.setErrorHandler((err, request, reply) => {
    const { error, status } = refusalOf(err, request, edge, config.bodyLimit);
    return sendJsonError(reply, error, status);
  });

  const serve = (build: (meta: CallMeta, origin: string) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const traceparent = edge.trace(request.headers);
    reply.header('traceparent', traceparent);
    const doc = await build(edge.meta(request.headers, traceparent), originOf(request, config));
    return reply.header('content-type', JSON_UTF8).send(JSON.stringify(doc));
  };

  app.get('/openrpc.json', serve((meta, origin) => discovery.openRpc(meta, origin)));
  app.get('/openapi.json', serve((meta, origin) => discovery.openApi(meta, origin)));
}

/**
 * `rpc.discover` for the JSON-RPC slice: the same document as `GET /openrpc.json` for the same
 * request. It takes no params (none, `[]` or `{}`).
 */
export function rpcDiscover({ edge, catalog, config }: ProtocolDeps): ReservedMethod<FastifyRequest> {
  const discovery = createDiscovery({ catalog, config });
  return async (params, meta, request) => {
    try {
      const empty = params === undefined || (Array.isArray(params) ? params.length === 0 : typeof params === 'object' && params !== null && Object.keys(params).length === 0);
      if (!empty) {
        const problem = { path: '', message: 'must be empty', actual: typeOf(params), schemaPath: '#/maxProperties' };
        throw new JunctionError('INVALID_PARAMS', `${DISCOVER} takes no params; send none, [] or {}`, { problems: [problem] });
      }
      return { result: await discovery.openRpc(meta, originOf(request, config)) };
    } catch (err) {
      return { error: edge.wire(err, `answering ${DISCOVER}`) };
    }
  };
}
