import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type Logger } from '@junction/core';
import { formatHostPort, type HostPort } from '../direct/address';
import { type Responder } from '../direct/responder';
import { HEARTBEAT } from './frame';
import { FrameSocket } from './frame-socket';

export interface TcpServerOptions {
  what: string;
  /** `transports.<name>`, for the fix in an error message. */
  configPath: string;
  log: Logger;
  listen: HostPort;
  maxFrameBytes: number;
  responder: Responder;
}

export interface TcpServerStats {
  /** Connections from clients open now. */
  connections: number;
  accepted: number;
  /** Connections dropped for a frame above maxFrameBytes. */
  protocolErrors: number;
}

/**
 * The server side of the tcp transport: a port any worker can open, each connection carrying many
 * requests at once; a reply goes back on the connection its request came on.
 */
export class TcpServer {
  readonly #opts: TcpServerOptions;
  readonly #sockets = new Set<FrameSocket>();
  #server: Server | undefined;
  #address: HostPort | undefined;
  readonly #stats = { accepted: 0, protocolErrors: 0 };

  constructor(opts: TcpServerOptions) {
    this.#opts = opts;
  }

  /** Where it listens (the port the OS gave, when `listen.port` is 0); undefined when it does not. */
  get address(): HostPort | undefined {
    return this.#address;
  }

  /** Opens the port; again after a drain closed it. Rejects with the address and the fix when it cannot. */
  async listen(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((socket) => this.#accepted(socket));
    this.#server = server;
    const { host, port } = this.#opts.listen;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      this.#server = undefined;
      const code = (err as NodeJS.ErrnoException).code;
      const fix =
        code === 'EADDRINUSE'
          ? `another process (another worker?) has that port: give each worker on a machine its own ${this.#opts.configPath}.listen.port`
          : `check ${this.#opts.configPath}.listen`;
      throw new Error(`${this.#opts.what} cannot listen on ${formatHostPort({ host, port })}: ${(err as Error).message}; ${fix}`, { cause: err });
    }
    server.on('error', (err: Error) => this.#opts.log.error({ err }, `${this.#opts.what}: its listening socket failed`));
    const bound = server.address() as AddressInfo;
    this.#address = { host: bound.address, port: bound.port };
    this.#opts.log.info(`${this.#opts.what} listening on ${formatHostPort(this.#address)}`);
  }

  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  /** Takes no new connections; those open stay, for the replies of requests in flight. */
  stopListening(): void {
    const server = this.#server;
    this.#server = undefined;
    this.#address = undefined;
    server?.close();
  }

  /** Closes every connection, after the replies written to it are sent (after a drain). */
  endConnections(reason: string): void {
    for (const socket of this.#sockets) socket.end(reason, 2000);
    this.#sockets.clear();
  }

  /** Drops every connection at once (to kill). */
  dropConnections(reason: string): void {
    for (const socket of this.#sockets) socket.destroy(reason);
    this.#sockets.clear();
  }

  stats(): TcpServerStats {
    return { connections: this.#sockets.size, ...this.#stats };
  }

  #accepted(raw: Socket): void {
    this.#stats.accepted++;
    const peer = formatHostPort({ host: raw.remoteAddress ?? '?', port: raw.remotePort ?? 0 });
    raw.setKeepAlive(true, 10_000);
    const responder = this.#opts.responder;
    const socket: FrameSocket = new FrameSocket(raw, {
      maxFrameBytes: this.#opts.maxFrameBytes,
      onFrame: (frame) => {
        if (frame.length === 0) socket.sendRaw(HEARTBEAT);
        // A reply whose connection went meanwhile is dropped: its caller already has UNAVAILABLE.
        else responder.handle(frame, peer, (reply) => socket.send(reply));
      },
      onClose: (reason, protocolError) => {
        this.#sockets.delete(socket);
        if (protocolError) {
          this.#stats.protocolErrors++;
          this.#opts.log.error({ peer, reason }, `${this.#opts.what}: dropped the connection from ${peer}: ${reason}; raise maxFrameBytes on both sides if the frame was genuine`);
        }
      },
    });
    this.#sockets.add(socket);
  }
}
