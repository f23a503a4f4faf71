import { connect as netConnect } from 'node:net';
import { type CallReply, type CallRequest, type Codec, JunctionError, type Logger, type QueueStats } from '@junction/core';
import { backoffMs } from '../backoff';
import { formatHostPort, type HostPort } from '../direct/address';
import { PendingCalls, type PendingStats } from '../direct/pending';
import { encodeRequest } from '../direct/request-frame';
import { HEARTBEAT } from './frame';
import { FrameSocket } from './frame-socket';

export interface TcpClientOptions {
  /** `tcp transport "w1"`, for messages. */
  what: string;
  log: Logger;
  codec: Codec;
  address: HostPort;
  poolSize: number;
  connectTimeoutMs: number;
  heartbeatMs: number;
  maxFrameBytes: number;
  maxPending: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

export interface TcpClientStats extends PendingStats {
  /** Pool connections up now. */
  connections: number;
  /** Connections that went down after being up (peer died, closed, silent past the heartbeats). */
  disconnects: number;
}

/** One connection of the pool, kept up until the client closes: after a loss it reconnects with backoff. */
interface Slot {
  readonly index: number;
  socket: FrameSocket | undefined;
  up: boolean;
  /** Calls sent on this slot and not yet settled: the pool sends a new call on the least busy slot. */
  inFlight: number;
  failures: number;
  timer: NodeJS.Timeout | undefined;
}

/** While the worker stays away, one log line per this long, not one per attempt. */
const ATTEMPT_LOG_EVERY_MS = 5000;

/**
 * The client side of the tcp transport: a small pool of connections to one worker, each carrying
 * many calls at once (replies are matched by envelope id), each reconnecting by itself. Nothing is
 * buffered while no connection is up: calls answer UNAVAILABLE at once.
 */
export class TcpClient {
  readonly #opts: TcpClientOptions;
  readonly #address: string;
  readonly #slots: Slot[];
  readonly #pending: PendingCalls<FrameSocket>;
  #up = 0;
  #next = 0;
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #everConnected = false;
  /** Failed attempts since the last connection was up, and when the last one was logged. */
  #failures = 0;
  #lastFailureLog = 0;
  #lastError = 'not connected yet';
  #disconnects = 0;

  constructor(opts: TcpClientOptions) {
    this.#opts = opts;
    this.#address = formatHostPort(opts.address);
    this.#slots = Array.from({ length: opts.poolSize }, (_, index) => ({ index, socket: undefined, up: false, inFlight: 0, failures: 0, timer: undefined }));
    this.#pending = new PendingCalls(opts.what, opts.maxPending);
  }

  get ready(): boolean {
    return this.#up > 0;
  }

  /**
   * Makes the first attempt on every connection of the pool. Resolves when each has connected or
   * failed: a gateway may start before its workers, keeps trying in the background and is not
   * ready meanwhile.
   */
  async start(): Promise<void> {
    if (this.#closed || this.#heartbeat !== undefined) return;
    if (this.#opts.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#probe(), Math.max(10, this.#opts.heartbeatMs / 2));
      this.#heartbeat.unref();
    }
    await Promise.all(this.#slots.map((slot) => this.#connect(slot)));
  }

  async call(req: CallRequest): Promise<CallReply> {
    if (this.#closed) return this.#refuse(req, 'UNAVAILABLE', `${this.#opts.what} is closed`);
    const refusal = this.#pending.refusal(req);
    if (refusal !== undefined) return refusal;
    const slot = this.#pick();
    const socket = slot?.socket;
    if (slot === undefined || socket === undefined) {
      return this.#refuse(req, 'UNAVAILABLE', `${this.#opts.what} is not connected to the worker at ${this.#address} (${this.#lastError}); reconnecting`);
    }
    const body = encodeRequest(req, this.#opts);
    if (!Buffer.isBuffer(body)) return body;
    if (req.meta.oneWay) {
      // Nobody waits for it, so nothing else bounds how much of it the socket buffers.
      if (socket.congested) return this.#refuse(req, 'OVERLOADED', `${this.#opts.what}: the connection to ${this.#address} is congested; retry later`);
      socket.send(body);
      this.#pending.sentOneWay();
      return { id: req.id, result: null };
    }
    slot.inFlight++;
    const reply = this.#pending.wait(req, socket);
    socket.send(body);
    const settled = await reply;
    slot.inFlight--;
    return settled;
  }

  /** Drops every connection and stops reconnecting; calls still waiting answer UNAVAILABLE. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    for (const slot of this.#slots) {
      clearTimeout(slot.timer);
      slot.socket?.destroy(`${this.#opts.what} was closed`);
    }
    this.#pending.fail(() => true, (id, service) => `${this.#opts.what} was closed while request ${id} to "${service}" was in flight; it may or may not have run`, 'CLOSED');
  }

  stats(): TcpClientStats {
    return { ...this.#pending.stats(), connections: this.#up, disconnects: this.#disconnects };
  }

  queue(): QueueStats {
    return this.#pending.queue();
  }

  /** The least busy connection that is up, starting the scan at a rotating slot so ties take turns. */
  #pick(): Slot | undefined {
    let best: Slot | undefined;
    const n = this.#slots.length;
    const start = this.#next++ % n;
    for (let i = 0; i < n; i++) {
      const slot = this.#slots[(start + i) % n];
      if (slot.up && (best === undefined || slot.inFlight < best.inFlight)) best = slot;
    }
    return best;
  }

  #connect(slot: Slot): Promise<void> {
    return new Promise<void>((settle) => {
      const { host, port } = this.#opts.address;
      const raw = netConnect({ host, port });
      const socket = new FrameSocket(raw, {
        maxFrameBytes: this.#opts.maxFrameBytes,
        onFrame: (frame) => {
          if (!slot.up) up();
          if (frame.length === 0) return; // a heartbeat's echo: receiving it was the point
          this.#pending.settle(frame, this.#opts.codec, (reason) =>
            this.#opts.log.error({ peer: this.#address, reason }, `${this.#opts.what}: undecodable reply from ${this.#address} dropped (its caller gets TIMEOUT): ${reason}`),
          );
        },
        onClose: (reason, protocolError) => {
          clearTimeout(connectTimer);
          settle();
          this.#closedSocket(slot, socket, reason, protocolError);
        },
      });
      slot.socket = socket;
      const connectTimer = setTimeout(() => socket.destroy(`no answer to a connection and a heartbeat within ${this.#opts.connectTimeoutMs} ms (connectTimeoutMs)`), this.#opts.connectTimeoutMs);
      // Up only once the worker has answered a heartbeat: a frozen or overloaded process's kernel
      // still accepts connections, so a TCP connect alone says nothing about the worker.
      const up = () => {
        if (slot.socket !== socket) return;
        clearTimeout(connectTimer);
        slot.up = true;
        slot.failures = 0;
        this.#up++;
        if (this.#up === 1) this.#connected();
        settle();
      };
      raw.once('connect', () => {
        // TCP keepalive as well: it finds a peer whose machine vanished even with heartbeats off.
        raw.setKeepAlive(true, Math.max(1000, this.#opts.heartbeatMs || 10_000));
        socket.sendRaw(HEARTBEAT);
      });
    });
  }

  #connected(): void {
    const after = this.#failures > 0 ? ` after ${this.#failures} failed attempt${this.#failures === 1 ? '' : 's'}` : '';
    if (this.#everConnected || this.#failures > 0) this.#opts.log.info(`${this.#opts.what} connected to the worker at ${this.#address}${after}`);
    this.#everConnected = true;
    this.#failures = 0;
    this.#lastFailureLog = 0;
  }

  #closedSocket(slot: Slot, socket: FrameSocket, reason: string, protocolError: boolean): void {
    if (slot.socket !== socket) return;
    slot.socket = undefined;
    this.#lastError = reason;
    if (slot.up) {
      slot.up = false;
      this.#up--;
      this.#disconnects++;
      // Its replies can only come on this socket: the calls sent on it fail now, not at their deadline.
      this.#pending.fail(
        (via) => via === socket,
        (id, service) => `${this.#opts.what} lost its connection to ${this.#address} (${reason}) while request ${id} to "${service}" was in flight; it may or may not have run`,
      );
      if (this.#closed) return;
      if (protocolError) this.#opts.log.error({ peer: this.#address, reason }, `${this.#opts.what}: dropped its connection to ${this.#address}: ${reason}; reconnecting`);
      else if (this.#up === 0) this.#opts.log.warn({ peer: this.#address, reason }, `${this.#opts.what} lost its connection to the worker at ${this.#address} (${reason}); reconnecting, calls answer UNAVAILABLE until it is back`);
    } else if (!this.#closed) {
      this.#attemptFailed(reason);
    }
    if (this.#closed) return;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!this.#closed) void this.#connect(slot);
    }, backoffMs(++slot.failures, this.#opts.reconnectInitialMs, this.#opts.reconnectMaxMs));
  }

  #attemptFailed(reason: string): void {
    this.#failures++;
    if (this.#up > 0) return; // the pool still has a live connection: nothing to tell
    const now = Date.now();
    if (this.#lastFailureLog === 0) {
      // The first failure of an outage: an error if the worker was never reached (likely config).
      const line = `${this.#opts.what} cannot reach the worker at ${this.#address} (${reason}); retrying in the background, calls answer UNAVAILABLE until it connects`;
      if (this.#everConnected) this.#opts.log.warn(line);
      else this.#opts.log.error(line);
      this.#lastFailureLog = now;
    } else if (now - this.#lastFailureLog >= ATTEMPT_LOG_EVERY_MS) {
      this.#opts.log.warn(`${this.#opts.what} still cannot reach ${this.#address} after ${this.#failures} attempts (${reason}); still retrying`);
      this.#lastFailureLog = now;
    }
  }

  /** Heartbeats: probes a connection idle for a heartbeat, drops one silent for three (a peer that vanished without a FIN). */
  #probe(): void {
    const now = Date.now();
    const every = this.#opts.heartbeatMs;
    for (const slot of this.#slots) {
      const socket = slot.socket;
      if (!slot.up || socket === undefined) continue;
      const silent = now - socket.lastReceived;
      if (silent >= 3 * every) socket.destroy(`nothing heard from the worker for ${silent} ms (3 heartbeats of ${every} ms)`);
      else if (silent >= every) socket.sendRaw(HEARTBEAT);
    }
  }

  #refuse(req: CallRequest, code: 'UNAVAILABLE' | 'OVERLOADED', message: string): CallReply {
    return { id: req.id, error: new JunctionError(code, message, { service: req.service, target: this.#address }).toWire() };
  }
}
