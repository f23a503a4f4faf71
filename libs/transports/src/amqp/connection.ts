import { type Logger } from '@junction/core';
import { type ChannelModel, connect } from 'amqplib';
import { backoffMs } from '../backoff';
import { brokerAddress, urlWithHeartbeat } from './naming';

/** What a side of the transport (client, server) does when the connection comes and goes. */
export interface ConnectionListener {
  /** Sets up this side's channels on a new connection. Must not throw: it logs and retries by itself. */
  connected(model: ChannelModel): Promise<void>;
  /** The connection is gone: channels are dead, nothing sent on them will be answered. */
  disconnected(): void;
}

export interface ConnectionOptions {
  /** The transport's name in config, for log lines and error messages. */
  name: string;
  url: string;
  heartbeatSeconds: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  log: Logger;
}

/** A TCP connect or AMQP handshake that takes longer than this counts as a failed attempt. */
const CONNECT_TIMEOUT_MS = 5000;
/** While the broker stays away, one log line per this long, not one per attempt. */
const ATTEMPT_LOG_EVERY_MS = 5000;

/**
 * One connection to the broker, kept up for the life of the transport: after a loss (broker
 * restart, `rabbitmqctl stop_app`, network) it reconnects with backoff until closed, and hands each
 * new connection to its listeners so they re-create their channels. Nothing is buffered while it
 * is down: the sides answer UNAVAILABLE instead.
 */
export class AmqpConnection {
  readonly address: string;
  readonly #opts: ConnectionOptions;
  readonly #url: string;
  readonly #listeners: ConnectionListener[] = [];
  #model: ChannelModel | undefined;
  #connecting: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #attempt = 0;
  #lastAttemptLog = 0;
  #everConnected = false;
  #lastError: Error | undefined;
  #blocked: string | undefined;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    this.#url = urlWithHeartbeat(opts.url, opts.heartbeatSeconds);
    this.address = brokerAddress(opts.url);
  }

  get connected(): boolean {
    return this.#model !== undefined;
  }

  /** The live connection, if any: listeners compare it with the one they set up on. */
  get model(): ChannelModel | undefined {
    return this.#model;
  }

  /** The broker's reason while it blocks publishers (memory or disk alarm). */
  get blocked(): string | undefined {
    return this.#blocked;
  }

  get closed(): boolean {
    return this.#closed;
  }

  listen(listener: ConnectionListener): void {
    this.#listeners.push(listener);
  }

  /** Backoff for attempt `n` (1-based) with this connection's settings; the sides use it for channel recovery. */
  backoff(n: number): number {
    return backoffMs(n, this.#opts.reconnectInitialMs, this.#opts.reconnectMaxMs);
  }

  /**
   * Makes the first attempt. Resolves true once connected and every listener has set up, false if
   * the attempt failed: the transport then keeps trying in the background and is not ready, so a
   * process can start before its broker (and `/readyz` says so) instead of dying.
   */
  start(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#model !== undefined) return Promise.resolve(true);
    return this.#connecting ?? this.#connect();
  }

  /** Closes the connection and stops reconnecting. Never throws. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const model = this.#model;
    this.#model = undefined;
    if (model !== undefined) {
      for (const l of this.#listeners) l.disconnected();
      await closeQuietly(model);
    }
  }

  #connect(): Promise<boolean> {
    const attempt = (async () => {
      let model: ChannelModel;
      try {
        model = await connect(this.#url, {
          noDelay: true, // Nagle's algorithm costs ~40 ms per call on small messages
          timeout: CONNECT_TIMEOUT_MS,
          clientProperties: { connection_name: `junction transport ${this.#opts.name}` },
        });
      } catch (err) {
        this.#failed(err as Error);
        return false;
      }
      if (this.#closed) {
        await closeQuietly(model);
        return false;
      }
      this.#bind(model);
      this.#model = model;
      const attempts = this.#attempt;
      this.#attempt = 0;
      this.#lastAttemptLog = 0;
      this.#everConnected = true;
      for (const l of this.#listeners) await l.connected(model);
      if (this.#model !== model) return false; // lost again while setting up: already reconnecting
      const after = attempts > 0 ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
      this.#opts.log.info(`amqp transport "${this.#opts.name}" connected to ${this.address}${after}`);
      return true;
    })();
    this.#connecting = attempt;
    return attempt.finally(() => {
      this.#connecting = undefined;
    });
  }

  #bind(model: ChannelModel): void {
    // amqplib emits 'error' (when there is one) and then 'close'; without an 'error' listener the
    // process would crash.
    model.on('error', (err: Error) => {
      this.#lastError = err;
    });
    model.on('blocked', (reason: string) => {
      this.#blocked = reason;
      this.#opts.log.warn(`amqp transport "${this.#opts.name}": the broker at ${this.address} blocks publishers (${reason}); calls answer OVERLOADED until it unblocks`);
    });
    model.on('unblocked', () => {
      this.#blocked = undefined;
      this.#opts.log.info(`amqp transport "${this.#opts.name}": the broker at ${this.address} accepts publishers again`);
    });
    model.on('close', (err?: Error) => {
      if (this.#model !== model) return;
      this.#model = undefined;
      this.#blocked = undefined;
      const why = this.#redact((err ?? this.#lastError)?.message ?? 'closed by the broker');
      this.#lastError = undefined;
      this.#opts.log.warn(`amqp transport "${this.#opts.name}" lost its connection to ${this.address} (${why}); reconnecting`);
      for (const l of this.#listeners) l.disconnected();
      this.#schedule();
    });
  }

  #failed(err: Error): void {
    if (this.#closed) return;
    const why = this.#redact(err.message || String(err));
    const now = Date.now();
    if (this.#lastAttemptLog === 0) {
      // The first failure of an outage: an error if the broker was never reached (likely config).
      const line = `amqp transport "${this.#opts.name}" cannot reach the broker at ${this.address} (${why}); retrying in the background, calls answer UNAVAILABLE until it connects`;
      if (this.#everConnected) this.#opts.log.warn(line);
      else this.#opts.log.error(line);
      this.#lastAttemptLog = now;
    } else if (now - this.#lastAttemptLog >= ATTEMPT_LOG_EVERY_MS) {
      this.#opts.log.warn(`amqp transport "${this.#opts.name}" still cannot reach ${this.address} after ${this.#attempt + 1} attempts (${why}); still retrying`);
      this.#lastAttemptLog = now;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#attempt++;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed && this.#model === undefined && this.#connecting === undefined) void this.#connect();
    }, this.backoff(this.#attempt));
  }

  /** amqplib's messages carry no credentials today; make sure a password never reaches a log line. */
  #redact(message: string): string {
    try {
      const password = decodeURIComponent(new URL(this.#opts.url).password);
      return password.length > 0 ? message.split(password).join('***') : message;
    } catch {
      return message;
    }
  }
}

async function closeQuietly(model: ChannelModel): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // A broker that stopped answering would leave close() waiting for its CloseOk for ever.
  const bounded = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2000);
  });
  try {
    await Promise.race([model.close().catch(() => undefined), bounded]);
  } finally {
    clearTimeout(timer);
  }
}
