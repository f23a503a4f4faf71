import { JunctionError, type Logger } from '@junction/core';
import { type Channel, type ChannelModel } from 'amqplib';

/** What the broker said about a service's queue the last time we asked. */
export type QueueVerdict = 'ok' | 'no-queue' | 'no-consumer';

interface Entry {
  verdict: QueueVerdict;
  at: number;
}

/** Services remembered at once; a client calling ever new names cannot grow the cache without bound. */
const MAX_ENTRIES = 10_000;

export function unavailableError(verdict: Exclude<QueueVerdict, 'ok'>, service: string, queue: string): JunctionError {
  return verdict === 'no-queue'
    ? new JunctionError('UNAVAILABLE', `no worker serves service "${service}" (queue ${queue} does not exist)`, { service, queue, reason: 'NO_QUEUE' })
    : new JunctionError('UNAVAILABLE', `no worker is consuming ${queue}`, { service, queue, reason: 'NO_CONSUMER' });
}

/**
 * Knows, to within `ttlMs`, whether a service's queue exists and has a consumer, so that a call to a
 * service whose workers are all gone answers UNAVAILABLE at once instead of waiting in a queue nobody
 * reads until its deadline. One `checkQueue` per service per `ttlMs` (shared by the calls that
 * arrive meanwhile), on a channel of its own: a check of a missing queue closes its channel (404),
 * which must not take the publishing channel and its pending replies down with it.
 */
export class ConsumerCheck {
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<QueueVerdict>>();
  #model: ChannelModel | undefined;
  #channel: Promise<Channel> | undefined;
  /** `checkQueue` round trips made so far (for stats and the cost test). */
  checks = 0;

  constructor(ttlMs: number, log: Logger) {
    this.#ttlMs = ttlMs;
    this.#log = log;
  }

  attach(model: ChannelModel): void {
    this.#model = model;
    this.#channel = undefined;
    this.#entries.clear();
  }

  detach(): void {
    this.#model = undefined;
    this.#channel = undefined;
    this.#entries.clear();
  }

  /** The remembered verdict while it is fresh; undefined when the broker must be asked. */
  cached(service: string): QueueVerdict | undefined {
    const entry = this.#entries.get(service);
    return entry !== undefined && Date.now() - entry.at < this.#ttlMs ? entry.verdict : undefined;
  }

  /** A publish came back unroutable: the queue is gone, whatever the cache said. */
  markMissing(service: string): void {
    this.#remember(service, 'no-queue');
  }

  /** Asks the broker (once for all the calls waiting on the same service). */
  check(service: string, queue: string): Promise<QueueVerdict> {
    let pending = this.#inflight.get(service);
    if (pending === undefined) {
      pending = this.#ask(service, queue).finally(() => this.#inflight.delete(service));
      this.#inflight.set(service, pending);
    }
    return pending;
  }

  async #ask(service: string, queue: string): Promise<QueueVerdict> {
    const model = this.#model;
    // Not connected: the caller answers UNAVAILABLE by itself.
    if (model === undefined) return 'ok';
    this.checks++;
    let verdict: QueueVerdict;
    try {
      const channel = await this.#open(model);
      const ok = await channel.checkQueue(queue);
      verdict = ok.consumerCount > 0 ? 'ok' : 'no-consumer';
    } catch (err) {
      if ((err as { code?: unknown }).code !== 404) {
        // Unknown (channel lost, another check's 404 closed the shared channel): let the call go;
        // the mandatory flag and the deadline still bound it.
        this.#log.debug({ err, queue }, 'consumer check failed; letting the call through');
        return 'ok';
      }
      verdict = 'no-queue';
    }
    if (this.#model === model) this.#remember(service, verdict);
    return verdict;
  }

  #remember(service: string, verdict: QueueVerdict): void {
    if (this.#entries.size >= MAX_ENTRIES && !this.#entries.has(service)) this.#entries.clear();
    this.#entries.set(service, { verdict, at: Date.now() });
  }

  #open(model: ChannelModel): Promise<Channel> {
    if (this.#channel !== undefined) return this.#channel;
    const opening = model.createChannel().then((channel) => {
      // A 404 closes the channel with an 'error' event; without a listener it would crash the process.
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.#channel === opening) this.#channel = undefined;
      });
      return channel;
    });
    opening.catch(() => {
      if (this.#channel === opening) this.#channel = undefined;
    });
    this.#channel = opening;
    return opening;
  }
}
