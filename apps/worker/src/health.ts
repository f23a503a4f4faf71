import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type Logger, type QueueStats } from '@junction/core';

export interface HealthOptions {
  log: Logger;
  ready: () => boolean;
  queues: () => QueueStats[];
}

/** Prometheus text for the queues: depth, in flight, and counters, one series per queue. */
export function queueMetrics(queues: QueueStats[]): string {
  const series: [string, string, string, (q: QueueStats) => number][] = [
    ['junction_queue_in_flight', 'gauge', 'Calls running now.', (q) => q.inFlight],
    ['junction_queue_waiting', 'gauge', 'Calls waiting for a slot.', (q) => q.waiting],
    ['junction_queue_accepted_total', 'counter', 'Calls accepted.', (q) => q.accepted],
    ['junction_queue_rejected_total', 'counter', 'Calls refused because the queue was full.', (q) => q.rejected],
    ['junction_queue_expired_total', 'counter', 'Calls dropped unrun because their deadline passed while waiting.', (q) => q.expired],
    ['junction_queue_wait_seconds_max', 'gauge', 'Longest wait for a slot.', (q) => q.waitMsMax / 1000],
  ];
  const label = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const lines: string[] = [];
  for (const [name, type, help, value] of series) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const q of queues) lines.push(`${name}{queue="${label(q.name)}"} ${value(q)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The worker's small HTTP port: liveness, readiness (serving and connected), metrics. */
export async function createHealthServer(opts: HealthOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: opts.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = opts.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(queueMetrics(opts.queues())));
  await app.ready();
  return app;
}
