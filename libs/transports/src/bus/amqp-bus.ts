import { type AmqpBusConfig, type Bus, type BusDeps, type BusListener, type BusMessage, buses, deliver, type JunctionConfig, type Logger } from '@junction/core';
import { type Channel, type ChannelModel } from 'amqplib';
import { AmqpConnection, type ConnectionListener } from '../amqp/connection';

/** Where an amqp bus connects, resolved from config. */
export interface AmqpBusOptions {
  url: string;
  /** A fanout exchange: every node binds a queue of its own to it. */
  exchange: string;
  heartbeatSeconds: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  log: Logger;
}

/**
 * `bus: { type: amqp, url | transport, exchange? }` with the rest filled in: a bus that names a
 * transport shares its broker, reconnection settings and queue prefix (`<prefix>bus`, so that two
 * clusters on one broker, which differ by prefix, do not hear each other).
 */
export function amqpBusOptions(bus: AmqpBusConfig, config: JunctionConfig, configFile: string, log: Logger): AmqpBusOptions {
  if ((bus.url === undefined) === (bus.transport === undefined)) {
    throw new Error(`${configFile}: bus: an amqp bus needs exactly one of url (e.g. amqp://guest:guest@127.0.0.1:5672) or transport (the name of an amqp transport), got ${bus.url === undefined ? 'neither' : 'both'}`);
  }
  if (bus.url !== undefined) {
    return { url: bus.url, exchange: bus.exchange ?? 'junction.bus', heartbeatSeconds: 10, reconnectInitialMs: 100, reconnectMaxMs: 5000, log };
  }
  const t = config.transports[bus.transport!];
  if (t?.type !== 'amqp') {
    const amqp = Object.entries(config.transports).filter(([, c]) => c.type === 'amqp').map(([n]) => n);
    throw new Error(`${configFile}: bus.transport: "${bus.transport}" is not an amqp transport under transports (amqp transports: ${amqp.join(', ') || 'none'})`);
  }
  return { url: t.url, exchange: bus.exchange ?? `${t.queuePrefix}bus`, heartbeatSeconds: t.heartbeatSeconds, reconnectInitialMs: t.reconnectInitialMs, reconnectMaxMs: t.reconnectMaxMs, log };
}

/**
 * The bus over RabbitMQ: one fanout exchange, and on each node an exclusive, auto-deleted queue
 * bound to it, so every node gets every message and a node that goes leaves nothing behind. The
 * topic travels as the routing key (a fanout exchange ignores it). Messages are not persisted nor
 * acknowledged: what is on the bus is either repeated (heartbeats) or stamped with its time
 * (level commands), and a node that was away learns the state from heartbeats.
 *
 * @example
 * const bus = createAmqpBus({ url: 'amqp://127.0.0.1', exchange: 'junction.bus', heartbeatSeconds: 10, reconnectInitialMs: 100, reconnectMaxMs: 5000, log });
 * await bus.start();
 * bus.subscribe('node.heartbeat', (m) => console.log(m));
 * await bus.publish('node.heartbeat', { id: 'w1' });
 */
export function createAmqpBus(opts: AmqpBusOptions): Bus {
  const { log, exchange } = opts;
  const connection = new AmqpConnection({ name: `bus ${exchange}`, url: opts.url, heartbeatSeconds: opts.heartbeatSeconds, reconnectInitialMs: opts.reconnectInitialMs, reconnectMaxMs: opts.reconnectMaxMs, log });
  const topics = new Map<string, Set<BusListener>>();
  let channel: Channel | undefined;

  const onMessage = (topic: string, body: Buffer) => {
    let message: BusMessage;
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
      message = value as BusMessage;
    } catch (err) {
      log.warn({ topic, exchange }, `amqp bus ${exchange}: dropped a message on "${topic}" that is not a JSON object (${(err as Error).message})`);
      return;
    }
    for (const listener of topics.get(topic) ?? []) deliver(log, topic, listener, message);
  };

  const listener: ConnectionListener = {
    async connected(model: ChannelModel) {
      try {
        const ch = await model.createChannel();
        ch.on('error', (err: Error) => log.warn({ err }, `amqp bus ${exchange}: channel error`));
        // Auto-deleted with the last node's queue: a bus leaves nothing on the broker once its cluster is gone.
        await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
        const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
        await ch.bindQueue(queue, exchange, '');
        await ch.consume(queue, (msg) => msg !== null && onMessage(msg.fields.routingKey, msg.content), { noAck: true });
        channel = ch;
        ch.on('close', () => {
          if (channel !== ch) return;
          channel = undefined;
          // The channel alone closed (a broker-side error) on a live connection: set up again, or
          // this node would stay deaf until the connection itself drops.
          if (!connection.closed && connection.model === model) {
            setTimeout(() => {
              if (channel === undefined && !connection.closed && connection.model === model) void listener.connected(model);
            }, connection.backoff(1)).unref();
          }
        });
      } catch (err) {
        // The connection's loss is handled by the connection; a channel refused on a live one is not, so say it.
        log.error({ err }, `amqp bus ${exchange}: could not set up its exchange and queue (${(err as Error).message}); level changes and heartbeats do not reach this node until it reconnects`);
      }
    },
    disconnected() {
      channel = undefined;
    },
  };
  connection.listen(listener);

  return {
    type: 'amqp',
    async start() {
      await connection.start();
    },
    async publish(topic, message) {
      const ch = channel;
      if (ch === undefined) throw new Error(`amqp bus ${exchange} is disconnected from ${connection.address} (reconnecting); "${topic}" was not published`);
      ch.publish(exchange, topic, Buffer.from(JSON.stringify(message)), { contentType: 'application/json' });
    },
    subscribe(topic, fn) {
      let set = topics.get(topic);
      if (set === undefined) topics.set(topic, (set = new Set()));
      set.add(fn);
      return () => void set.delete(fn);
    },
    ready: () => channel !== undefined,
    async close() {
      topics.clear();
      await connection.close();
    },
  };
}

/** Registers the amqp bus with core's registry (core does not depend on amqplib). Idempotent. */
export function registerAmqpBus(): void {
  if (buses.has('amqp')) return;
  buses.add('amqp', (config, deps: BusDeps) => {
    if (config.type !== 'amqp') throw new Error(`${deps.configFile}: bus.type: the amqp bus was given a "${config.type}" bus`);
    return createAmqpBus(amqpBusOptions(config, deps.config, deps.configFile, deps.log));
  });
}
