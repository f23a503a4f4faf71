import { type AmqpTransportConfig, type QueueStats, type CallReply, type CallRequest, type Codec, errors, isJunctionError, JunctionError, type Logger, replyByDeadline } from '@junction/core';
import { type Channel, type ChannelModel, type ConsumeMessage, type Message } from 'amqplib';
import { type AmqpConnection, type ConnectionListener } from './connection';
import { ConsumerCheck, unavailableError } from './consumer-check';
import { REPLY_TO, serviceQueue } from './naming';

interface Pending {
  resolve: (reply: CallReply) => void;
  service: string;
}

export interface ClientStats {
  pending: number;
  published: number;
  replies: number;
  /** Replies that came after their caller stopped waiting (deadline passed). */
  lateReplies: number;
  /** Publishes the broker returned as unroutable (no queue). */
  returned: number;
  /** `checkQueue` round trips of the no-consumer check. */
  consumerChecks: number;
  /** Calls refused OVERLOADED because `maxPending` replies were already awaited. */
  refused: number;
  /** Calls refused because their deadline had passed before they were sent. */
  expired: number;
}

export interface ClientDeps {
  name: string;
  log: Logger;
  codec: Codec;
  connection: AmqpConnection;
  consumerCheckTtlMs: number;
}

/**
 * The client side: publishes requests to service queues and matches the replies that come back on
 * RabbitMQ's direct reply-to by correlation id. One channel for everything it publishes, so the
 * replies (which are bound to the publishing channel) and the broker's returns arrive there too.
 */
export class AmqpClient implements ConnectionListener {
  readonly #config: AmqpTransportConfig;
  readonly #deps: ClientDeps;
  readonly #checks: ConsumerCheck;
  readonly #pending = new Map<string, Pending>();
  readonly #what: string;
  #channel: Channel | undefined;
  #opening = false;
  #channelFailures = 0;
  #retry: NodeJS.Timeout | undefined;
  /** The socket buffer is full; fire-and-forget calls (unbounded by `maxPending`) wait for 'drain'. */
  #congested = false;
  readonly #stats = { published: 0, replies: 0, lateReplies: 0, returned: 0, refused: 0, expired: 0 };

  constructor(config: AmqpTransportConfig, deps: ClientDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#checks = new ConsumerCheck(deps.consumerCheckTtlMs, deps.log);
    this.#what = `amqp transport "${deps.name}"`;
  }

  get ready(): boolean {
    return this.#channel !== undefined;
  }

  /** Calls sent and awaiting replies, as a bounded queue (bounded by `maxPending`; nothing waits to be sent). */
  queue(): QueueStats {
    const s = this.#stats;
    return { name: `${this.#what} (calls out)`, inFlight: this.#pending.size, waiting: 0, maxInFlight: this.#config.maxPending, maxWaiting: 0, accepted: s.published, rejected: s.refused, completed: s.replies, expired: s.expired, waitMsTotal: 0, waitMsMax: 0 };
  }

  stats(): ClientStats {
    return { pending: this.#pending.size, ...this.#stats, consumerChecks: this.#checks.checks };
  }

  async connected(model: ChannelModel): Promise<void> {
    clearTimeout(this.#retry);
    if (this.#opening) return; // a recovery already under way would open a second channel
    this.#opening = true;
    try {
      const channel = await model.createChannel();
      channel.on('error', (err: Error) => this.#deps.log.error({ err }, `${this.#what}: client channel failed; recovering it`));
      channel.on('close', () => this.#channelClosed(channel, model));
      channel.on('return', (msg: Message) => this.#returned(msg));
      channel.on('drain', () => {
        this.#congested = false;
      });
      // Direct reply-to: consume (no-ack) on the publishing channel before the first publish.
      await channel.consume(REPLY_TO, (msg) => this.#replied(msg), { noAck: true });
      if (this.#deps.connection.model !== model) return;
      this.#channel = channel;
      this.#channelFailures = 0;
      this.#checks.attach(model);
    } catch (err) {
      if (this.#deps.connection.model !== model) return; // the connection went: it reconnects and calls again
      this.#deps.log.error({ err }, `${this.#what}: cannot open the client channel; retrying`);
      this.#recover(model);
    } finally {
      this.#opening = false;
    }
  }

  disconnected(): void {
    clearTimeout(this.#retry);
    this.#channel = undefined;
    this.#checks.detach();
    this.#failPending();
  }

  async call(req: CallRequest): Promise<CallReply> {
    if (this.#channel === undefined) return this.#disconnected(req);
    if (req.meta.deadline !== undefined && req.meta.deadline <= Date.now()) {
      this.#stats.expired++;
      return this.#timedOut(req, req.meta.deadline);
    }
    const blocked = this.#deps.connection.blocked;
    if (blocked !== undefined) return this.#refuse(req, 'OVERLOADED', `the broker at ${this.#deps.connection.address} blocks publishers (${blocked}); retry later`);

    const queue = serviceQueue(this.#config, req.service);
    const verdict = this.#checks.cached(req.service) ?? (await this.#checks.check(req.service, queue));
    if (verdict !== 'ok') return { id: req.id, error: unavailableError(verdict, req.service, queue).toWire() };

    if (req.meta.oneWay) {
      if (this.#congested) return this.#refuse(req, 'OVERLOADED', `${this.#what}: the connection to ${this.#deps.connection.address} is congested; retry later`);
      return this.#send(req, queue, false) ?? { id: req.id, result: null };
    }
    if (this.#pending.size >= this.#config.maxPending) {
      this.#stats.refused++;
      return { id: req.id, error: errors.overloaded(`${this.#what} (replies pending)`, this.#config.maxPending).toWire() };
    }
    if (this.#pending.has(req.id)) return this.#refuse(req, 'INTERNAL', `${this.#what}: request id ${req.id} is already waiting for a reply`);
    const reply = new Promise<CallReply>((resolve) => this.#pending.set(req.id, { resolve, service: req.service }));
    const failed = this.#send(req, queue, true);
    if (failed !== undefined) {
      this.#pending.delete(req.id);
      return failed;
    }
    try {
      return await replyByDeadline(req, reply, this.#what);
    } finally {
      this.#pending.delete(req.id);
    }
  }

  /** Encodes (once) and publishes; returns the error reply if it could not. */
  #send(req: CallRequest, queue: string, wantsReply: boolean): CallReply | undefined {
    const channel = this.#channel;
    if (channel === undefined) return this.#disconnected(req);
    let expiration: string | undefined;
    if (req.meta.deadline !== undefined) {
      const left = Math.ceil(req.meta.deadline - Date.now());
      if (left <= 0) return this.#timedOut(req, req.meta.deadline);
      // The broker drops the request if it is still queued at its deadline: nobody runs it late.
      expiration = String(left);
    }
    try {
      const body = this.#deps.codec.encode({ v: 1, kind: 'request', ...req });
      const options = wantsReply
        ? { mandatory: true, correlationId: req.id, replyTo: REPLY_TO, expiration, contentType: this.#deps.codec.contentType, persistent: false }
        : { mandatory: true, expiration, contentType: this.#deps.codec.contentType, persistent: false };
      this.#stats.published++;
      if (!channel.publish('', queue, body, options)) this.#congested = true;
      return undefined;
    } catch (err) {
      if (isJunctionError(err)) return { id: req.id, error: err.toWire() };
      // amqplib throws synchronously on a channel that closed under us.
      return this.#refuse(req, 'UNAVAILABLE', `${this.#what} could not send request ${req.id}: ${(err as Error).message}`);
    }
  }

  #replied(msg: ConsumeMessage | null): void {
    if (msg === null) return; // direct reply-to is never cancelled by the broker
    const id = msg.properties.correlationId as string | undefined;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (id === undefined || pending === undefined) {
      this.#stats.lateReplies++;
      return;
    }
    this.#pending.delete(id);
    this.#stats.replies++;
    try {
      const envelope = this.#deps.codec.decode(msg.content);
      if (envelope.kind !== 'reply') throw new JunctionError('INVALID_REQUEST', `a ${envelope.kind} came back where a reply was expected`);
      const { v: _v, kind: _kind, ...reply } = envelope;
      pending.resolve(reply as CallReply);
    } catch (err) {
      const why = (err as Error).message;
      pending.resolve({ id, error: new JunctionError('INTERNAL', `${this.#what}: the reply to request ${id} from service "${pending.service}" cannot be decoded: ${why}`).toWire() });
    }
  }

  #returned(msg: Message): void {
    this.#stats.returned++;
    const queue: string = msg.fields.routingKey;
    const service = queue.startsWith(this.#config.queuePrefix) ? queue.slice(this.#config.queuePrefix.length) : queue;
    this.#checks.markMissing(service);
    const id = msg.properties.correlationId as string | undefined;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (id === undefined || pending === undefined) {
      this.#deps.log.debug({ queue }, `${this.#what}: a one-way request came back unroutable; dropped`);
      return;
    }
    this.#pending.delete(id);
    pending.resolve({ id, error: unavailableError('no-queue', service, queue).toWire() });
  }

  #channelClosed(channel: Channel, model: ChannelModel): void {
    if (this.#channel !== channel) return;
    this.#channel = undefined;
    this.#congested = false;
    // Replies to direct reply-to are bound to this channel: none of the pending ones can arrive now.
    this.#failPending();
    this.#recover(model);
  }

  /** Re-opens the client channel after a channel-level failure, if the connection itself is still up. */
  #recover(model: ChannelModel): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      // Checked late: when the whole connection drops, channels close before the connection says so.
      if (this.#deps.connection.model === model && this.#channel === undefined) void this.connected(model);
    }, this.#deps.connection.backoff(++this.#channelFailures));
  }

  #failPending(): void {
    if (this.#pending.size === 0) return;
    const address = this.#deps.connection.address;
    for (const [id, pending] of this.#pending) {
      const message = `${this.#what} lost its channel to ${address} while request ${id} to "${pending.service}" was in flight; it may or may not have run`;
      pending.resolve({ id, error: new JunctionError('UNAVAILABLE', message, { service: pending.service, reason: 'DISCONNECTED' }).toWire() });
    }
    this.#pending.clear();
  }

  #refuse(req: CallRequest, code: 'UNAVAILABLE' | 'OVERLOADED' | 'INTERNAL', message: string): CallReply {
    return { id: req.id, error: new JunctionError(code, message, { service: req.service }).toWire() };
  }

  #disconnected(req: CallRequest): CallReply {
    return this.#refuse(req, 'UNAVAILABLE', `${this.#what} is disconnected from ${this.#deps.connection.address} (reconnecting)`);
  }

  #timedOut(req: CallRequest, deadline: number): CallReply {
    return { id: req.id, error: errors.timeout(`${req.service}.${req.method} over ${this.#what}`, deadline).toWire() };
  }
}
