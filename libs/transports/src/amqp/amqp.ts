import { type AmqpTransportConfig, type Codec, jsonCodec } from '@junction/core';
import { type Transport, type TransportDeps } from '../transport';
import { AmqpClient, type ClientStats } from './client';
import { AmqpConnection } from './connection';
import { AmqpServer, type ServerStats } from './server';

export interface AmqpTransportStats {
  connected: boolean;
  client: ClientStats;
  server: ServerStats;
}

export interface AmqpTransport extends Transport {
  stats(): AmqpTransportStats;
  /**
   * Drops the connection at once, without draining: requests being handled are not acked, so the
   * broker gives them to another worker (flagged `redelivered`). For urgent stops and tests.
   */
  kill(): Promise<void>;
}

export interface AmqpTransportOptions {
  /** How long a "does this queue exist and have a consumer" answer is trusted. Default 1000 ms. */
  consumerCheckTtlMs?: number;
}

/**
 * RabbitMQ over amqplib: one durable queue per service (competing consumers), direct reply-to,
 * per-message expiration from the deadline, ack after reply, dead-lettering of undecodable requests,
 * and a connection that recovers by itself after a broker restart.
 *
 * `start()` resolves after the first connection attempt, whether it succeeded or not: when the broker
 * is not there yet it logs an error and keeps trying in the background, `ready()` stays false and
 * calls answer UNAVAILABLE until it connects.
 *
 * @example
 * const t = createAmqpTransport({ type: 'amqp', url: 'amqp://127.0.0.1', prefetch: 100, queuePrefix: 'junction.svc.',
 *   deadLetterQueue: 'junction.dead', maxPending: 10000, reconnectInitialMs: 100, reconnectMaxMs: 5000, heartbeatSeconds: 10 },
 *   { name: 'rabbit', log });
 * await t.start();
 * await t.serve(['calc'], provider.handle);          // in a worker
 * const reply = await t.call(request);              // in a gateway
 */
export function createAmqpTransport(config: AmqpTransportConfig, deps: TransportDeps, codec: Codec = jsonCodec, options: AmqpTransportOptions = {}): AmqpTransport {
  const connection = new AmqpConnection({
    name: deps.name,
    url: config.url,
    heartbeatSeconds: config.heartbeatSeconds,
    reconnectInitialMs: config.reconnectInitialMs,
    reconnectMaxMs: config.reconnectMaxMs,
    log: deps.log,
  });
  const client = new AmqpClient(config, { name: deps.name, log: deps.log, codec, connection, consumerCheckTtlMs: options.consumerCheckTtlMs ?? 1000 });
  const server = new AmqpServer(config, { name: deps.name, log: deps.log, codec, connection });
  connection.listen(client);
  connection.listen(server);

  let closing: Promise<void> | undefined;

  return {
    type: 'amqp',
    name: deps.name,
    capabilities: { durable: true, ack: true, balancing: 'broker', serializes: true },
    call: (req) => client.call(req),
    serve: (services, handler, opts) => server.serve(services, handler, opts),
    drain: () => server.drain(),
    async start() {
      await connection.start();
    },
    close() {
      closing ??= (async () => {
        try {
          await server.drain();
          await server.close();
        } catch (err) {
          deps.log.warn({ err }, `amqp transport "${deps.name}": draining failed; closing anyway`);
        }
        await connection.close();
      })();
      return closing;
    },
    kill: () => connection.close(),
    ready: () => connection.connected && client.ready && server.ready,
    stats: () => ({ connected: connection.connected, client: client.stats(), server: server.stats() }),
    queues: () => [client.queue(), server.queue()],
  };
}
