import { type CallReply, type CallRequest, type Codec, type Handler, isJunctionError, JunctionError, type Logger, type QueueStats, replyByDeadline, WorkQueue } from '@junction/core';

export interface ResponderOptions {
  /** `tcp transport "w1"`, for messages. */
  what: string;
  log: Logger;
  codec: Codec;
  maxInFlight: number;
  maxQueue: number;
  maxFrameBytes: number;
}

export interface ResponderStats {
  /** Requests answered UNAVAILABLE because this worker does not serve their service. */
  notServed: number;
  /** Requests answered UNAVAILABLE because this worker was draining. */
  refusedDraining: number;
  /** Frames that were not a request envelope: logged and dropped. */
  undecodable: number;
}

/**
 * The server side of a point-to-point transport (tcp, zeromq), whatever carries the bytes: decodes a
 * request, runs it through a bounded queue with its deadline, and encodes the reply for the
 * connection the request came on.
 */
export class Responder {
  readonly #opts: ResponderOptions;
  readonly #served = new Map<string, Handler>();
  readonly #queue: WorkQueue;
  #draining = false;
  /** Requests taken and not yet answered, up to their reply being handed to `send`: what a drain waits for. */
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #stats: ResponderStats = { notServed: 0, refusedDraining: 0, undecodable: 0 };

  constructor(opts: ResponderOptions) {
    this.#opts = opts;
    this.#queue = new WorkQueue(`${opts.what} (requests in)`, { maxInFlight: opts.maxInFlight, maxWaiting: opts.maxQueue });
  }

  get serving(): boolean {
    return this.#served.size > 0;
  }

  get draining(): boolean {
    return this.#draining;
  }

  serve(services: readonly string[], handler: Handler): void {
    for (const s of services) if (this.#served.has(s)) throw new Error(`${this.#opts.what}: service "${s}" is already served by this transport`);
    for (const s of services) this.#served.set(s, handler);
    this.#draining = false;
  }

  /** Undoes `serve` (the port could not be opened). */
  forget(services: readonly string[]): void {
    for (const s of services) this.#served.delete(s);
  }

  /** Stops taking requests (each new one is answered UNAVAILABLE at once) and resolves when those taken are answered. */
  drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Handles one request frame from `peer`; `send` gets the encoded reply (not called for a one-way
   * request, nor for a frame that is not a request at all).
   */
  handle(bytes: Buffer, peer: string, send: (reply: Buffer) => void): void {
    let req: CallRequest;
    try {
      const envelope = this.#opts.codec.decode(bytes);
      if (envelope.kind !== 'request') throw new JunctionError('INVALID_REQUEST', `envelope ${envelope.id} is a ${envelope.kind}, not a request`);
      req = { id: envelope.id, service: envelope.service, method: envelope.method, args: envelope.args, meta: envelope.meta };
    } catch (err) {
      // No id to answer to: the caller gets TIMEOUT at its deadline. Framing is intact, so the connection goes on.
      this.#stats.undecodable++;
      this.#opts.log.error({ peer, reason: (err as Error).message }, `${this.#opts.what}: undecodable request from ${peer} dropped: ${(err as Error).message}`);
      return;
    }
    this.#inFlight++;
    void this.#answer(req).then((reply) => {
      try {
        if (!req.meta.oneWay) send(this.#encode(req, reply));
      } finally {
        if (--this.#inFlight === 0 && this.#idle.length > 0) for (const resolve of this.#idle.splice(0)) resolve();
      }
    });
  }

  #answer(req: CallRequest): Promise<CallReply> {
    const handler = this.#served.get(req.service);
    if (handler === undefined) {
      // The deployment knows the service (the gateway's chain checked), so this is a routing
      // mistake, or a worker started with other services: another worker may serve it, hence
      // UNAVAILABLE (retryable) rather than METHOD_NOT_FOUND.
      this.#stats.notServed++;
      const served = [...this.#served.keys()].join(', ') || 'nothing yet';
      return Promise.resolve(this.#error(req, 'UNAVAILABLE', `${this.#opts.what} does not serve "${req.service}" (it serves ${served}); route "${req.service}" to a transport whose worker hosts it`, 'NOT_SERVED'));
    }
    if (this.#draining) {
      this.#stats.refusedDraining++;
      return Promise.resolve(this.#error(req, 'UNAVAILABLE', `${this.#opts.what} is draining and takes no new calls; send "${req.service}" to another worker`, 'DRAINING'));
    }
    // The deadline bounds the slot too: a handler that never answers cannot hold it (or drain) for ever.
    // A request whose deadline passed while it waited for a slot is dropped unrun (and counted).
    return this.#queue.run(() => replyByDeadline(req, run(handler, req), `${this.#opts.what} (server)`), req.meta.deadline).catch((err: unknown) => ({
      id: req.id,
      error: (isJunctionError(err) ? err : new JunctionError('INTERNAL', `${this.#opts.what}: ${(err as Error).message}`)).toWire(),
    }));
  }

  #error(req: CallRequest, code: 'UNAVAILABLE' | 'INTERNAL', message: string, reason: string): CallReply {
    return { id: req.id, error: new JunctionError(code, message, { service: req.service, reason }).toWire() };
  }

  /** The reply's bytes; a reply that cannot be encoded, or is larger than the peer accepts, becomes an INTERNAL error reply. */
  #encode(req: CallRequest, reply: CallReply): Buffer {
    const codec = this.#opts.codec;
    let bytes: Buffer;
    try {
      bytes = codec.encode(reply.error === undefined ? { v: 1, kind: 'reply', id: reply.id, result: reply.result } : { v: 1, kind: 'reply', id: reply.id, error: reply.error });
    } catch (err) {
      const error = isJunctionError(err) ? err : new JunctionError('INTERNAL', `the reply of ${req.service}.${req.method} cannot be encoded: ${(err as Error).message}`);
      return codec.encode({ v: 1, kind: 'reply', id: req.id, error: error.toWire() });
    }
    if (bytes.length <= this.#opts.maxFrameBytes) return bytes;
    const message = `the reply of ${req.service}.${req.method} is ${bytes.length} bytes, more than ${this.#opts.what}'s maxFrameBytes (${this.#opts.maxFrameBytes}); return less, or raise maxFrameBytes on both sides`;
    this.#opts.log.warn({ service: req.service, method: req.method, bytes: bytes.length }, `${this.#opts.what}: ${message}`);
    return codec.encode({ v: 1, kind: 'reply', id: req.id, error: new JunctionError('INTERNAL', message, { bytes: bytes.length, maxFrameBytes: this.#opts.maxFrameBytes }).toWire() });
  }

  stats(): ResponderStats {
    return { ...this.#stats };
  }

  queue(): QueueStats {
    return this.#queue.stats();
  }
}

function run(handler: Handler, req: CallRequest): Promise<CallReply> {
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
