import { type CallReply, type CallRequest, type Codec, JunctionError, type Logger, type QueueStats } from '@junction/core';
import type { Dealer } from 'zeromq';
import { formatHostPort, type HostPort } from '../direct/address';
import { PendingCalls, type PendingStats } from '../direct/pending';
import { encodeRequest } from '../direct/request-frame';
import { endpoint, loadZeromq } from './load';

export interface ZeromqClientOptions {
  what: string;
  log: Logger;
  codec: Codec;
  address: HostPort;
  heartbeatMs: number;
  maxFrameBytes: number;
  maxPending: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

export interface ZeromqClientStats extends PendingStats {
  connected: boolean;
  disconnects: number;
}

/** How long `start()` waits for the first handshake before resolving not ready. */
const FIRST_CONNECT_WAIT_MS = 5000;

/**
 * The client side of the zeromq transport: one DEALER connected to the worker's ROUTER. libzmq
 * reconnects by itself (reconnectInterval doubling up to reconnectMaxInterval); this side follows its
 * socket events to know whether a peer is there, because a DEALER queues silently for a peer that
 * is gone. Three settings make that loud instead:
 * - `immediate`: messages are queued only on a completed connection, so with no peer a send fails
 *   at once (answered UNAVAILABLE) instead of waiting in a pipe for a worker that may never come;
 * - ZMTP heartbeats: a peer that stops answering them (a machine gone, a frozen process) is
 *   disconnected after three heartbeats, and the `disconnect` event fails its calls at once;
 * - `sendHighWaterMark` = `maxPending`: the calls awaited are refused OVERLOADED at `maxPending`
 *   before libzmq's queue could fill, so a send that still cannot be queued means the connection
 *   just dropped (UNAVAILABLE).
 */
export class ZeromqClient {
  readonly #opts: ZeromqClientOptions;
  readonly #address: string;
  readonly #pending: PendingCalls<number>;
  #socket: Dealer | undefined;
  #connected = false;
  /** Counts connections: a call remembers the one it went out on, and only that one's loss fails it. */
  #generation = 0;
  #closed = false;
  #everConnected = false;
  #retries = 0;
  #disconnects = 0;
  #lastRetryLog = 0;

  constructor(opts: ZeromqClientOptions) {
    this.#opts = opts;
    this.#address = formatHostPort(opts.address);
    this.#pending = new PendingCalls(opts.what, opts.maxPending);
  }

  get ready(): boolean {
    return this.#connected;
  }

  /** Connects; resolves after the first handshake, or the first failed attempt, or 5 s: the worker may come later. */
  async start(): Promise<void> {
    if (this.#socket !== undefined || this.#closed) return;
    const zmq = await loadZeromq(this.#opts.what);
    const hb = this.#opts.heartbeatMs;
    const socket = new zmq.Dealer({
      immediate: true,
      sendTimeout: 0,
      sendHighWaterMark: this.#opts.maxPending,
      receiveHighWaterMark: 0, // replies are bounded by maxPending already
      linger: 0,
      reconnectInterval: this.#opts.reconnectInitialMs,
      reconnectMaxInterval: this.#opts.reconnectMaxMs,
      // No maxMessageSize here: libzmq treats a message above it as a protocol error and ends the
      // session for good, without reconnecting. The size is checked below instead.
      ipv6: this.#opts.address.host.includes(':'),
      ...(hb > 0 ? { heartbeatInterval: hb, heartbeatTimeout: 3 * hb, heartbeatTimeToLive: Math.max(100, Math.ceil((3 * hb) / 100) * 100) } : {}),
    });
    this.#socket = socket;
    const first = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.events.on('handshake', () => {
        this.#up();
        done();
      });
      socket.events.on('connect:retry', () => {
        this.#retry();
        done();
      });
    });
    socket.events.on('disconnect', () => this.#down('the worker closed the connection or stopped answering heartbeats'));
    socket.events.on('handshake:error:protocol', (e) => this.#opts.log.error({ peer: this.#address, err: e.error }, `${this.#opts.what}: ZMTP handshake with ${this.#address} failed: ${e.error.message}`));
    socket.events.on('handshake:error:other', (e) => this.#opts.log.error({ peer: this.#address, err: e.error }, `${this.#opts.what}: handshake with ${this.#address} failed: ${e.error.message}`));
    socket.connect(endpoint(this.#opts.address.host, this.#opts.address.port));
    void this.#receive(socket);
    await first;
  }

  async call(req: CallRequest): Promise<CallReply> {
    if (this.#closed) return this.#refuse(req, `${this.#opts.what} is closed`);
    const refusal = this.#pending.refusal(req);
    if (refusal !== undefined) return refusal;
    const socket = this.#socket;
    if (socket === undefined || !this.#connected) return this.#refuse(req, `${this.#opts.what} is not connected to the worker at ${this.#address}; reconnecting`);
    const body = encodeRequest(req, this.#opts);
    if (!Buffer.isBuffer(body)) return body;
    const unsent = (err: unknown): CallReply => this.#refuse(req, `${this.#opts.what} could not send request ${req.id} to ${this.#address} (${(err as Error).message}); the connection just dropped`);
    if (req.meta.oneWay) {
      try {
        await socket.send(body);
      } catch (err) {
        return unsent(err);
      }
      this.#pending.sentOneWay();
      return { id: req.id, result: null };
    }
    const reply = this.#pending.wait(req, this.#generation);
    socket.send(body).catch((err: unknown) => this.#pending.abandon(req.id, unsent(err)));
    return reply;
  }

  /** Closes the socket at once; calls still waiting answer UNAVAILABLE. */
  close(): void {
    this.#closed = true;
    this.#connected = false;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined && !socket.closed) socket.close();
    this.#pending.fail(() => true, (id, service) => `${this.#opts.what} was closed while request ${id} to "${service}" was in flight; it may or may not have run`, 'CLOSED');
  }

  stats(): ZeromqClientStats {
    return { ...this.#pending.stats(), connected: this.#connected, disconnects: this.#disconnects };
  }

  queue(): QueueStats {
    return this.#pending.queue();
  }

  async #receive(socket: Dealer): Promise<void> {
    const onUndecodable = (reason: string) =>
      this.#opts.log.error({ peer: this.#address, reason }, `${this.#opts.what}: undecodable reply from ${this.#address} dropped (its caller gets TIMEOUT): ${reason}`);
    try {
      for await (const [body] of socket) {
        if (body.length > this.#opts.maxFrameBytes) this.#oversize(body);
        else this.#pending.settle(body, this.#opts.codec, onUndecodable);
      }
    } catch (err) {
      if (!this.#closed) this.#opts.log.error({ err }, `${this.#opts.what}: receiving from ${this.#address} failed; calls answer UNAVAILABLE`);
    }
  }

  /** A reply above maxFrameBytes fails its call (the connection is fine: the message is whole). */
  #oversize(body: Buffer): void {
    const message = `${this.#opts.what} got a reply of ${body.length} bytes from ${this.#address}, more than its maxFrameBytes (${this.#opts.maxFrameBytes}); raise maxFrameBytes on both sides`;
    this.#opts.log.error({ peer: this.#address, bytes: body.length }, message);
    let id: string | undefined;
    try {
      id = this.#opts.codec.decode(body).id;
    } catch {
      return; // no id to answer: its caller gets TIMEOUT
    }
    this.#pending.abandon(id, { id, error: new JunctionError('INTERNAL', message, { bytes: body.length, maxFrameBytes: this.#opts.maxFrameBytes }).toWire() });
  }

  #up(): void {
    if (this.#closed) return;
    this.#connected = true;
    this.#generation++;
    const after = this.#retries > 0 ? ` after ${this.#retries} failed attempt${this.#retries === 1 ? '' : 's'}` : '';
    if (this.#everConnected || this.#retries > 0) this.#opts.log.info(`${this.#opts.what} connected to the worker at ${this.#address}${after}`);
    this.#everConnected = true;
    this.#retries = 0;
    this.#lastRetryLog = 0;
  }

  #down(why: string): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#disconnects++;
    const lost = this.#generation;
    // Their replies can only come on the connection that went: they fail now, not at their deadline.
    this.#pending.fail(
      (via) => via === lost,
      (id, service) => `${this.#opts.what} lost its connection to ${this.#address} while request ${id} to "${service}" was in flight; it may or may not have run`,
    );
    if (!this.#closed) this.#opts.log.warn({ peer: this.#address }, `${this.#opts.what} lost its connection to the worker at ${this.#address} (${why}); reconnecting, calls answer UNAVAILABLE until it is back`);
  }

  #retry(): void {
    this.#retries++;
    const now = Date.now();
    if (this.#lastRetryLog === 0) {
      const line = `${this.#opts.what} cannot reach the worker at ${this.#address}; retrying in the background, calls answer UNAVAILABLE until it connects`;
      if (this.#everConnected) this.#opts.log.warn(line);
      else this.#opts.log.error(line);
      this.#lastRetryLog = now;
    } else if (now - this.#lastRetryLog >= 5000) {
      this.#opts.log.warn(`${this.#opts.what} still cannot reach ${this.#address} after ${this.#retries} attempts; still retrying`);
      this.#lastRetryLog = now;
    }
  }

  #refuse(req: CallRequest, message: string): CallReply {
    return { id: req.id, error: new JunctionError('UNAVAILABLE', message, { service: req.service, target: this.#address, reason: 'DISCONNECTED' }).toWire() };
  }
}
