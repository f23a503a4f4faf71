import { type AmqpTransportConfig, type QueueStats, type CallReply, type CallRequest, type Codec, errors, type Handler, isJunctionError, JunctionError, type Logger, replyByDeadline } from '@junction/core';
import { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { type AmqpConnection, type ConnectionListener } from './connection';
import { type ServeOptions } from '../transport';
import { deadLetterQueueOptions, serviceQueue, serviceQueueOptions } from './naming';

export interface ServerStats {
  inFlight: number;
  received: number;
  /** Undecodable requests sent to the dead-letter queue. */
  deadLettered: number;
  /** Requests delivered again after the worker that held them died. */
  redelivered: number;
  /** Requests whose deadline had passed when they arrived: answered TIMEOUT, not run. */
  expired: number;
  /** Requests answered (or acked without a reply), whatever the outcome. */
  answered: number;
}

export interface ServerDeps {
  name: string;
  log: Logger;
  codec: Codec;
  connection: AmqpConnection;
}

/**
 * The server side: consumes the queues of the services it serves (competing with every other
 * worker on them), hands each request to the handler and publishes the reply to the caller's
 * reply-to. One channel for consuming, replying and acking, so that the ack of a request follows its
 * reply on the wire.
 */
export class AmqpServer implements ConnectionListener {
  readonly #config: AmqpTransportConfig;
  readonly #deps: ServerDeps;
  readonly #what: string;
  readonly #served = new Map<string, Handler>();
  /** Each served service's consumer prefetch: the transport's, capped by what the service runs at once. */
  readonly #prefetch = new Map<string, number>();
  /** Consumer tags on the current channel, by service. */
  readonly #consumers = new Map<string, string>();
  #channel: Channel | undefined;
  #opening: Promise<Channel> | undefined;
  #channelFailures = 0;
  #retry: NodeJS.Timeout | undefined;
  #draining = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #stats = { received: 0, deadLettered: 0, redelivered: 0, expired: 0, answered: 0 };

  constructor(config: AmqpTransportConfig, deps: ServerDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#what = `amqp transport "${deps.name}"`;
  }

  /** True when it serves nothing, or its channel is open. */
  get ready(): boolean {
    return this.#served.size === 0 || this.#draining || this.#channel !== undefined;
  }

  /** Requests taken from the broker and being served, as a bounded queue (bounded by the consumers' prefetch; the waiting is on the broker). */
  queue(): QueueStats {
    const s = this.#stats;
    let bound = 0;
    for (const service of this.#consumers.keys()) bound += this.#prefetch.get(service) ?? this.#config.prefetch;
    return { name: `${this.#what} (requests in)`, inFlight: this.#inFlight, waiting: 0, maxInFlight: bound, maxWaiting: 0, accepted: s.received, rejected: s.deadLettered, completed: s.answered, expired: s.expired, waitMsTotal: 0, waitMsMax: 0 };
  }

  stats(): ServerStats {
    return { inFlight: this.#inFlight, ...this.#stats };
  }

  async serve(services: readonly string[], handler: Handler, opts: ServeOptions = {}): Promise<void> {
    for (const s of services) if (this.#served.has(s)) throw new Error(`${this.#what}: service "${s}" is already served by this transport`);
    for (const s of services) {
      this.#served.set(s, handler);
      // Per consumer: never more unacknowledged requests than the service can run at once.
      this.#prefetch.set(s, Math.max(1, Math.min(this.#config.prefetch, opts.capacity?.(s) ?? Infinity)));
    }
    this.#draining = false;
    const model = this.#deps.connection.model;
    if (model === undefined) {
      this.#deps.log.info(`${this.#what}: will consume ${services.map((s) => serviceQueue(this.#config, s)).join(', ')} once connected to ${this.#deps.connection.address}`);
      return;
    }
    try {
      const channel = await this.#open(model);
      for (const s of services) await this.#consume(channel, s);
    } catch (err) {
      // Lost the connection meanwhile: the services stay served and are consumed on reconnect.
      if (this.#deps.connection.model !== model) return;
      for (const s of services) this.#served.delete(s);
      throw new Error(`${this.#what} cannot serve ${services.join(', ')}: ${(err as Error).message}`, { cause: err });
    }
  }

  async drain(): Promise<void> {
    this.#draining = true;
    const channel = this.#channel;
    const tags = [...this.#consumers.values()];
    this.#consumers.clear();
    // Stop taking new requests first; those already delivered run to the end and are acked.
    if (channel !== undefined) await Promise.all(tags.map((tag) => channel.cancel(tag).catch(() => undefined)));
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Closes the channel (after `drain`): requests delivered and not acked go back to their queues. */
  async close(): Promise<void> {
    clearTimeout(this.#retry);
    const channel = this.#channel;
    this.#channel = undefined;
    if (channel !== undefined) await channel.close().catch(() => undefined);
  }

  async connected(model: ChannelModel): Promise<void> {
    if (this.#served.size === 0 || this.#draining) return;
    try {
      const channel = await this.#open(model);
      for (const s of this.#served.keys()) if (!this.#consumers.has(s)) await this.#consume(channel, s);
      // Reset only once every queue is consumed: a queue that keeps failing (406) backs off to the maximum.
      this.#channelFailures = 0;
    } catch (err) {
      if (this.#deps.connection.model !== model) return;
      this.#deps.log.error({ err }, `${this.#what}: cannot consume the served queues; retrying`);
      this.#recover(model);
    }
  }

  disconnected(): void {
    clearTimeout(this.#retry);
    this.#channel = undefined;
    this.#opening = undefined;
    this.#consumers.clear();
  }

  #open(model: ChannelModel): Promise<Channel> {
    if (this.#channel !== undefined) return Promise.resolve(this.#channel);
    if (this.#opening !== undefined) return this.#opening;
    const opening = (async () => {
      const channel = await model.createChannel();
      channel.on('error', (err: Error) => this.#deps.log.error({ err }, `${this.#what}: server channel failed; recovering it`));
      channel.on('close', () => this.#channelClosed(channel, model));
      await channel.prefetch(this.#config.prefetch);
      await channel.assertQueue(this.#config.deadLetterQueue, deadLetterQueueOptions);
      if (this.#deps.connection.model === model) this.#channel = channel;
      return channel;
    })();
    this.#opening = opening;
    return opening.finally(() => {
      if (this.#opening === opening) this.#opening = undefined;
    });
  }

  async #consume(channel: Channel, service: string): Promise<void> {
    const queue = serviceQueue(this.#config, service);
    await channel.assertQueue(queue, serviceQueueOptions);
    // basic.qos without `global` limits the consumers declared after it: one limit per service.
    await channel.prefetch(this.#prefetch.get(service) ?? this.#config.prefetch);
    const { consumerTag } = await channel.consume(queue, (msg) => this.#delivered(channel, service, queue, msg), { noAck: false });
    this.#consumers.set(service, consumerTag);
  }

  #delivered(channel: Channel, service: string, queue: string, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer: someone deleted the queue. Declare it again.
      this.#deps.log.warn(`${this.#what}: queue ${queue} was deleted while served; declaring it again`);
      this.#consumers.delete(service);
      const model = this.#deps.connection.model;
      if (model !== undefined && !this.#draining) this.#recover(model);
      return;
    }
    this.#stats.received++;
    let req: CallRequest;
    try {
      const envelope = this.#deps.codec.decode(msg.content);
      if (envelope.kind !== 'request') throw new JunctionError('INVALID_REQUEST', `envelope ${envelope.id} is a ${envelope.kind}, not a request`);
      const { v: _v, kind: _kind, ...request } = envelope;
      req = request as CallRequest;
    } catch (err) {
      this.#deadLetter(channel, queue, msg, (err as Error).message);
      return;
    }
    if (msg.fields.redelivered) {
      // Its first worker died holding it; the provider re-runs only idempotent methods.
      req.meta.redelivered = true;
      this.#stats.redelivered++;
    }
    this.#inFlight++;
    const deadline = req.meta.deadline;
    let reply: Promise<CallReply>;
    if (deadline !== undefined && deadline <= Date.now()) {
      this.#stats.expired++;
      reply = Promise.resolve({ id: req.id, error: errors.timeout(`${req.service}.${req.method} (queued on ${queue})`, deadline).toWire() });
    } else {
      // The deadline bounds the handler too: one that never answers cannot hold a prefetch slot (or drain) for ever.
      reply = replyByDeadline(req, this.#run(this.#served.get(service)!, req), `${this.#what} (server)`);
    }
    void reply.then((r) => this.#respond(channel, msg, req, r));
  }

  #run(handler: Handler, req: CallRequest): Promise<CallReply> {
    const internal = (err: unknown): CallReply => ({
      id: req.id,
      error: isJunctionError(err) ? err.toWire() : new JunctionError('INTERNAL', `the handler of "${req.service}" failed: ${(err as Error)?.message ?? String(err)}`).toWire(),
    });
    try {
      return handler(req).catch(internal);
    } catch (err) {
      return Promise.resolve(internal(err));
    }
  }

  #respond(channel: Channel, msg: ConsumeMessage, req: CallRequest, reply: CallReply): void {
    try {
      const replyTo = msg.properties.replyTo as string | undefined;
      if (replyTo && !req.meta.oneWay) {
        // The delivery's channel may have died meanwhile: the reply can still go out on the new one.
        const out = this.#channel ?? channel;
        out.publish('', replyTo, this.#encode(req, reply), { correlationId: msg.properties.correlationId, contentType: this.#deps.codec.contentType });
      }
      // Ack only after the reply is published, on the same channel, so a worker that dies
      // mid-request loses nothing: the broker redelivers it.
      channel.ack(msg);
    } catch (err) {
      // The channel closed while the handler ran: the broker has requeued the request for another worker.
      this.#deps.log.debug({ err, queue: msg.fields.routingKey }, `${this.#what}: could not reply or ack; the broker redelivers the request`);
    } finally {
      this.#stats.answered++;
      if (--this.#inFlight === 0 && this.#idle.length > 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #encode(req: CallRequest, reply: CallReply): Buffer {
    try {
      return this.#deps.codec.encode({ v: 1, kind: 'reply', ...reply });
    } catch (err) {
      const error = isJunctionError(err) ? err : new JunctionError('INTERNAL', `the reply of ${req.service}.${req.method} cannot be encoded: ${(err as Error).message}`);
      return this.#deps.codec.encode({ v: 1, kind: 'reply', id: req.id, error: error.toWire() });
    }
  }

  #deadLetter(channel: Channel, queue: string, msg: ConsumeMessage, reason: string): void {
    this.#stats.deadLettered++;
    const correlationId = msg.properties.correlationId as string | undefined;
    this.#deps.log.error(
      { queue, correlationId, reason, deadLetterQueue: this.#config.deadLetterQueue },
      `${this.#what}: undecodable request on ${queue} (correlationId ${correlationId ?? 'none'}) sent to ${this.#config.deadLetterQueue}: ${reason}`,
    );
    try {
      // Copy, then ack, on one channel: the broker handles them in order, so the request is never
      // lost in between (a crash before the ack redelivers it, and it is dead-lettered again).
      channel.sendToQueue(this.#config.deadLetterQueue, msg.content, {
        ...msg.properties,
        headers: { ...msg.properties.headers, 'x-junction-queue': queue, 'x-junction-reason': reason },
      });
      channel.ack(msg);
    } catch {
      // Channel gone: the broker requeues it, and the next worker dead-letters it.
    }
  }

  #channelClosed(channel: Channel, model: ChannelModel): void {
    if (this.#channel !== channel) return;
    this.#channel = undefined;
    this.#consumers.clear();
    if (!this.#draining) this.#recover(model);
  }

  /** Re-opens the channel and re-consumes after a channel-level failure, while the connection lives. */
  #recover(model: ChannelModel): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      if (this.#deps.connection.model === model && !this.#draining) void this.connected(model);
    }, this.#deps.connection.backoff(++this.#channelFailures));
  }
}
