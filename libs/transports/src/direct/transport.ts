import { type CallReply, type CallRequest, JunctionError, type QueueStats } from '@junction/core';
import { type Transport } from '../transport';
import { type HostPort } from './address';
import { type Responder, type ResponderStats } from './responder';

/** The calling side of a point-to-point transport (tcp, zeromq). */
export interface DirectClient<Stats> {
  call(req: CallRequest): Promise<CallReply>;
  start(): Promise<void>;
  close(): void;
  readonly ready: boolean;
  stats(): Stats;
  queue(): QueueStats;
}

/** The serving side: a socket that hands requests to the shared Responder. */
export interface DirectServer<Stats> {
  listen(): Promise<void>;
  readonly listening: boolean;
  readonly address: HostPort | undefined;
  stats(): Stats;
  /** On drain: stop taking new connections, where the socket can without dropping the open ones. */
  stopAccepting(): void;
  /** On close (`graceful`: after a drain, answers sent) or kill (at once). */
  end(graceful: boolean): void;
}

export interface DirectTransport<ClientStats, ServerStats> extends Transport {
  /** Where it listens once serving (the port the OS gave, when `listen.port` is 0). */
  address(): HostPort | undefined;
  stats(): { client?: ClientStats; server: ServerStats & ResponderStats };
}

export interface DirectParts<ClientStats, ServerStats> {
  type: 'tcp' | 'zeromq';
  name: string;
  /** `<type> transport "<name>"`, for messages. */
  what: string;
  /** `transports.<name>`, for messages that name the fix. */
  configPath: string;
  responder: Responder;
  client: DirectClient<ClientStats> | undefined;
  server: DirectServer<ServerStats> | undefined;
  /** What `stats().server` shows on a node that never serves on it. */
  idleServerStats: ServerStats;
}

/** Refuses, naming the fix, a point-to-point transport that can neither call nor serve. */
export function checkEnds(config: { connect?: string; listen?: unknown }, what: string, configPath: string): void {
  if (config.connect === undefined && config.listen === undefined) {
    throw new Error(`${what} has neither "connect" (the worker it calls) nor "listen" (where it serves): set one or both under ${configPath}`);
  }
}

/**
 * The Transport both point-to-point transports are: a client to one worker (`connect`) and/or a
 * server (`listen`) feeding a Responder. Only the sockets differ; what a call, a drain, a close and
 * readiness mean is the same, and written once here.
 */
export function directTransport<ClientStats, ServerStats>(parts: DirectParts<ClientStats, ServerStats>): DirectTransport<ClientStats, ServerStats> {
  const { what, configPath, responder, client, server } = parts;
  let closing: Promise<void> | undefined;
  const drain = async () => {
    // Requests that arrive on open connections meanwhile answer UNAVAILABLE (the caller can go to
    // another worker); those taken are answered on their connections.
    server?.stopAccepting();
    await responder.drain();
  };
  return {
    type: parts.type,
    name: parts.name,
    capabilities: { durable: false, ack: false, balancing: 'client', serializes: true },
    call:
      client === undefined
        ? async (req) => ({ id: req.id, error: new JunctionError('UNAVAILABLE', `${what} only serves (it has no "connect" address), so it cannot carry calls; route "${req.service}" to a transport that connects to a worker`, { service: req.service }).toWire() })
        : (req) => client.call(req),
    async serve(services, handler) {
      if (server === undefined) throw new Error(`${what} cannot serve ${services.join(', ')}: it has no "listen" address; set ${configPath}.listen: { host, port }`);
      responder.serve(services, handler);
      try {
        await server.listen();
      } catch (err) {
        responder.forget(services);
        throw err;
      }
    },
    drain,
    async start() {
      await client?.start();
    },
    close() {
      closing ??= (async () => {
        await drain();
        server?.end(true);
        client?.close();
      })();
      return closing;
    },
    async kill() {
      server?.end(false);
      client?.close();
    },
    ready: () => (client === undefined || client.ready) && (server === undefined || !responder.serving || responder.draining || server.listening),
    address: () => server?.address,
    stats: () => ({ client: client?.stats(), server: { ...(server?.stats() ?? parts.idleServerStats), ...responder.stats() } }),
    // A node that never serves on it (a gateway sharing the workers' config) reports no requests-in queue.
    queues: () => [...(client === undefined ? [] : [client.queue()]), ...(responder.serving ? [responder.queue()] : [])],
  };
}
