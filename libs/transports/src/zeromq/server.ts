import { type Logger } from '@junction/core';
import type { Router } from 'zeromq';
import { formatHostPort, type HostPort } from '../direct/address';
import { type Responder } from '../direct/responder';
import { endpoint, loadZeromq } from './load';

export interface ZeromqServerOptions {
  what: string;
  configPath: string;
  log: Logger;
  listen: HostPort;
  heartbeatMs: number;
  maxFrameBytes: number;
  /** Replies a peer may have queued unsent: the responder's bound (in flight plus waiting). */
  maxReplies: number;
  responder: Responder;
}

export interface ZeromqServerStats {
  /** Replies dropped because their caller's connection was gone (ROUTER_MANDATORY: EHOSTUNREACH) or its queue full. */
  repliesDropped: number;
}

/** How long a closing server keeps trying to deliver the replies it has queued. */
const CLOSE_LINGER_MS = 2000;

/**
 * The server side of the zeromq transport: a ROUTER bound to `listen`; each request arrives with
 * its DEALER's routing id, and the reply goes back to that id. `mandatory` makes a reply to a
 * caller that has gone fail loudly (counted, logged at debug) instead of vanishing.
 */
export class ZeromqServer {
  readonly #opts: ZeromqServerOptions;
  #socket: Router | undefined;
  #binding: Promise<void> | undefined;
  #address: HostPort | undefined;
  #repliesDropped = 0;

  constructor(opts: ZeromqServerOptions) {
    this.#opts = opts;
  }

  get address(): HostPort | undefined {
    return this.#address;
  }

  get listening(): boolean {
    return this.#address !== undefined;
  }

  /** Binds the ROUTER (once). Rejects with the address and the fix when it cannot. */
  listen(): Promise<void> {
    this.#binding ??= this.#bind().catch((err: unknown) => {
      this.#binding = undefined;
      throw err;
    });
    return this.#binding;
  }

  async #bind(): Promise<void> {
    const zmq = await loadZeromq(this.#opts.what);
    const hb = this.#opts.heartbeatMs;
    const { host, port } = this.#opts.listen;
    const socket = new zmq.Router({
      mandatory: true,
      sendTimeout: 0,
      sendHighWaterMark: this.#opts.maxReplies,
      linger: 0,
      maxMessageSize: this.#opts.maxFrameBytes,
      ipv6: host.includes(':'),
      ...(hb > 0 ? { heartbeatInterval: hb, heartbeatTimeout: 3 * hb, heartbeatTimeToLive: Math.max(100, Math.ceil((3 * hb) / 100) * 100) } : {}),
    });
    try {
      await socket.bind(endpoint(host, port === 0 ? '*' : port));
    } catch (err) {
      socket.close();
      const code = (err as NodeJS.ErrnoException).code;
      const fix = code === 'EADDRINUSE' ? `another process (another worker?) has that port: give each worker on a machine its own ${this.#opts.configPath}.listen.port` : `check ${this.#opts.configPath}.listen`;
      throw new Error(`${this.#opts.what} cannot listen on ${formatHostPort({ host, port })}: ${(err as Error).message}; ${fix}`, { cause: err });
    }
    const bound = /:(\d+)$/.exec(socket.lastEndpoint ?? '');
    this.#address = { host, port: bound === null ? port : Number(bound[1]) };
    this.#socket = socket;
    this.#opts.log.info(`${this.#opts.what} listening on ${formatHostPort(this.#address)}`);
    void this.#receive(socket);
  }

  /** Closes the ROUTER; `graceful` gives the replies already queued a moment to leave. */
  close(graceful: boolean): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#address = undefined;
    this.#binding = undefined;
    if (socket === undefined || socket.closed) return;
    socket.linger = graceful ? CLOSE_LINGER_MS : 0;
    socket.close();
  }

  stats(): ZeromqServerStats {
    return { repliesDropped: this.#repliesDropped };
  }

  async #receive(socket: Router): Promise<void> {
    try {
      for await (const [identity, body] of socket) {
        if (body === undefined) continue; // not a DEALER speaking our envelope: nothing to answer
        const peer = `dealer ${identity.toString('hex')}`;
        this.#opts.responder.handle(body, peer, (reply) => {
          if (socket.closed) return;
          socket.send([identity, reply]).catch((err: unknown) => {
            // EHOSTUNREACH: the caller's connection is gone, and it has already answered UNAVAILABLE.
            this.#repliesDropped++;
            this.#opts.log.debug({ peer, err }, `${this.#opts.what}: reply to ${peer} dropped: ${(err as Error).message}`);
          });
        });
      }
    } catch (err) {
      if (!socket.closed) this.#opts.log.error({ err }, `${this.#opts.what}: receiving requests failed; it no longer serves`);
    }
  }
}
