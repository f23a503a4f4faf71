import cors from '@fastify/cors';
import { type GatewayConfig } from '@junction/core';
import { type FastifyInstance } from 'fastify';
import { TIMEOUT_HEADER } from './edge';

/**
 * Lets browsers on the configured origins call the gateway (`gateway.cors`): a web app of the
 * studio, the client SDK in a page, Swagger UI reading /openapi.json. They may send what a
 * call needs (JSON, an API key, a timeout, a trace) and read the reply's traceparent and
 * retry-after. Without `gateway.cors` nothing is added and browsers keep to their same-origin rule.
 *
 * Never with credentials: keys travel in headers a script sets, not in cookies, so no cookie of
 * the gateway's origin (the console's session) rides along with another origin's request.
 */
export async function allowOrigins(app: FastifyInstance, config: GatewayConfig['cors']): Promise<void> {
  if (config === undefined) return;
  await app.register(cors, {
    origin: config.origins.includes('*') ? '*' : [...config.origins],
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'x-api-key', TIMEOUT_HEADER, 'traceparent', 'tracestate'],
    exposedHeaders: ['traceparent', 'retry-after'],
    maxAge: config.maxAgeSeconds,
    credentials: false,
  });
}
