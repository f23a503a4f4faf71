import { type GatewayConfig, type Handler, type Logger, NodeMetrics, type QueueStats, type Tracer } from '@junction/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { writeInBursts } from './bursts';
import { ServiceCatalog } from './catalog';
import { allowOrigins } from './cors';
import { createEdge } from './edge';
import { useJsonBodies } from './limits';
import { createHtmlPages } from './protocols/html/pages';
import { htmlRoutes, useViews } from './protocols/html/route';
import { Templates } from './protocols/html/templates';
import { jsonRoutes } from './protocols/json/route';
import { sendJsonError } from './protocols/json/errors';
import { jsonRpcRoutes } from './protocols/json-rpc/route';
import { JSON_UTF8 } from './protocols/protocol';
import { discoveryRoutes } from './protocols/discovery/routes';
import { xmlRpcRoutes } from './protocols/xml-rpc/route';
import { refusalOf } from './refusals';

/** An app the gateway serves beside its own routes, under a prefix: the console at `/console`. */
export interface GatewayMount {
  /** e.g. `/console`; the first mount is where `GET /` redirects. */
  prefix: string;
  /** Adds the app's routes to `scope`, a Fastify scope of its own under `prefix`. */
  register(scope: FastifyInstance): Promise<void>;
}

export interface GatewayOptions {
  config: GatewayConfig;
  /** The node's compiled proxy chain; every call the gateway accepts goes to it. */
  handler: Handler;
  log: Logger;
  /** Put messages and stacks of the gateway's own unexpected errors into INTERNAL errors' data. Never in production. */
  debug?: boolean;
  /** Readiness for `/readyz` (transports connected); ready when absent. */
  ready?: () => boolean;
  /** What the node's chain knows of the services (its `catalog`); the gateway makes its own when absent. */
  catalog?: ServiceCatalog;
  /** This node's name, shown by `/readyz`. */
  node?: string;
  /** The node's other queues (its transports', its provider's), shown with the gateway's own at `/metrics`. */
  queues?: () => QueueStats[];
  /**
   * The node's metrics, rendered at `/metrics`; the gateway counts the calls of its edge in them
   * and gives them its queue list (its own, then `queues`). A registry of its own when absent.
   */
  metrics?: NodeMetrics;
  /** This process's tracer, when tracing is on: the edge records a gateway span of each sampled call. */
  tracer?: Tracer;
  /** Apps registered under their prefixes before the gateway is ready (the CLI mounts the console here). */
  mounts?: readonly GatewayMount[];
}

// Longer than nginx's default upstream keepalive_timeout (60 s): the proxy closes an idle
// connection first, and never reuses one the gateway is closing.
const KEEP_ALIVE_MS = 72_000;
// The whole request (headers and body) must arrive within this: slow senders cannot hold sockets.
const REQUEST_MS = 60_000;

const OK = '{"status":"ok"}';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The Fastify edge: JSON-RPC 2.0 on `POST /rpc`, XML-RPC on `POST /RPC2`, plain JSON on `/api/:service/:method`, HTML pages
 * on `GET /view/:service/:method` (and on `GET /api/...` for browsers), `/healthz`, `/readyz` and `/metrics`. Resolves built and ready, not listening.
 *
 * @example
 * const app = await createGateway({ config: config.gateway, handler: compileChain(config.chain, deps), log });
 * await app.listen({ host: config.gateway.host, port: config.gateway.port });
 */
/**
 * The node's logger as Fastify gets it: one whose child is itself. Fastify makes a child logger
 * per request; a pino child costs microseconds on every call, and a `childLoggerFactory` of our own
 * makes Fastify check the logger it returns on every request. Our log lines carry their own
 * request ids. Typed as Fastify's base logger so the instance keeps Fastify's default type parameters.
 */
function withoutChildren(log: Logger): FastifyBaseLogger {
  const parent = log as FastifyBaseLogger;
  const same: FastifyBaseLogger = Object.create(parent, { child: { value: () => same } });
  return same;
}

export async function createGateway(opts: GatewayOptions): Promise<FastifyInstance> {
  const { config, log } = opts;
  const ready = opts.ready ?? (() => true);
  const app = Fastify({
    loggerInstance: withoutChildren(log),
    // Errors are logged where they happen; a line per request at info would cost more than the call.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    bodyLimit: config.bodyLimit,
    keepAliveTimeout: KEEP_ALIVE_MS,
    requestTimeout: REQUEST_MS,
    // No per-socket inactivity timer (Node's default): re-arming it on every read and write costs
    // about 2 µs a call. Idle sockets end at keepAliveTimeout, slow senders at requestTimeout,
    // and every call at its deadline.
    connectionTimeout: 0,
    frameworkErrors: (err, _request, reply) => {
      sendJsonError(reply, { code: 'INVALID_REQUEST', message: `the request cannot be routed: ${err.message}` });
    },
  });

  const metrics = opts.metrics ?? new NodeMetrics({ node: opts.node ?? 'gateway' });
  const edge = createEdge({ config, handler: opts.handler, log, debug: opts.debug ?? false, metrics, tracer: opts.tracer });
  metrics.queues(() => [edge.stats(), ...(opts.queues?.() ?? [])]);
  useJsonBodies(app, config);
  writeInBursts(app);
  await allowOrigins(app, config.cors);

  app.setErrorHandler((err, request, reply) => {
    const { error, status } = refusalOf(err, request, edge, config.bodyLimit);
    return sendJsonError(reply, error, status);
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `no route ${request.method} ${request.url.split('?')[0]}; calls go to POST /rpc (JSON-RPC 2.0), POST /RPC2 (XML-RPC) or POST|GET /api/<service>/<method>; pages for browsers are at GET /view`;
    return sendJsonError(reply, { code: 'METHOD_NOT_FOUND', message });
  });

  app.get('/healthz', (_request, reply) => reply.header('content-type', JSON_UTF8).send(OK));
  app.get('/metrics', async (_request, reply) => reply.header('content-type', PROMETHEUS_TEXT).send(await metrics.text()));
  app.get('/readyz', (_request, reply) => {
    const up = ready();
    const body = { status: up ? 'ready' : 'not ready', ...(opts.node === undefined ? {} : { node: opts.node }) };
    return reply.code(up ? 200 : 503).header('content-type', JSON_UTF8).send(JSON.stringify(body));
  });

  // The chain's own catalog when the node has one: one describe every 30 s for the whole node.
  const catalog = opts.catalog ?? new ServiceCatalog({ invoke: edge.invoke });
  const templates = new Templates({ invoke: edge.invoke });
  await useViews(app, templates);
  const pages = createHtmlPages({ edge, catalog, config, templates });
  await app.register(jsonRpcRoutes, { edge, catalog, config });
  await app.register(jsonRoutes, { edge, catalog, config, pages });
  await app.register(htmlRoutes, { edge, catalog, config, pages, prefix: '/view' });
  await app.register(xmlRpcRoutes, { edge, catalog, config });
  await app.register(discoveryRoutes, { edge, catalog, config });
  for (const m of opts.mounts ?? []) await app.register((scope) => m.register(scope), { prefix: m.prefix });
  // The gateway's root leads people to the first app mounted beside it (the console).
  const home = opts.mounts?.[0]?.prefix;
  if (home !== undefined) app.get('/', (_request, reply) => reply.redirect(`${home}/`, 302));
  await app.ready();
  return app;
}
