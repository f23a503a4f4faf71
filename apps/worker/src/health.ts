import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type Logger, NodeMetrics, type QueueStats } from '@junction/core';

export interface HealthOptions {
  log: Logger;
  ready: () => boolean;
  queues: () => QueueStats[];
  /** The node's metrics, rendered at `/metrics` with `queues` as their queue series; without them, only the queues are. */
  metrics?: NodeMetrics;
}

/** The worker's small HTTP port: liveness, readiness (serving and connected), metrics. */
export async function createHealthServer(opts: HealthOptions): Promise<FastifyInstance> {
  const metrics = opts.metrics ?? new NodeMetrics({ node: 'worker' });
  metrics.queues(opts.queues);
  const app = Fastify({ loggerInstance: opts.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = opts.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  await app.ready();
  return app;
}
