import { type Codec, JunctionError, jsonCodec, type TcpTransportConfig } from '@junction/core';
import { type Transport, type TransportDeps } from '../transport';
import { type HostPort, parseHostPort } from '../direct/address';
import { Responder, type ResponderStats } from '../direct/responder';
import { TcpClient, type TcpClientStats } from './client';
import { TcpServer, type TcpServerStats } from './server';

export interface TcpTransportStats {
  client?: TcpClientStats;
  server: TcpServerStats & ResponderStats;
}

export interface TcpTransport extends Transport {
  /** Where it listens once serving (the port the OS gave, when `listen.port` is 0). */
  address(): HostPort | undefined;
  stats(): TcpTransportStats;
}

/**
 * Length-prefixed frames over plain TCP, point to point, no broker: the client side keeps a small
 * pool of connections to the worker at `connect`, each carrying many calls at once; the server side
 * opens `listen` when the worker serves on it. A gateway with two workers has one tcp transport per
 * worker, and the `route` proxy balances between them.
 *
 * At-most-once: a request in flight when its worker dies is answered UNAVAILABLE at once ("it may
 * or may not have run"), never delivered again. `start()` resolves after the first connection
 * attempt whether it succeeded or not; the pool reconnects with backoff and `ready()` is false until
 * a connection is up.
 *
 * @example
 * // worker: serves calc on port 7001
 * const inbound = createTcpTransport({ type: 'tcp', listen: { host: '0.0.0.0', port: 7001 }, ...defaults }, { name: 'tcp-in', log });
 * await inbound.serve(['calc'], provider.handle);
 * // gateway: calls that worker
 * const w1 = createTcpTransport({ type: 'tcp', connect: 'render-07:7001', ...defaults }, { name: 'w1', log });
 * await w1.start();
 * const reply = await w1.call(request);
 */
export function createTcpTransport(config: TcpTransportConfig, deps: TransportDeps, codec: Codec = jsonCodec): TcpTransport {
  const what = `tcp transport "${deps.name}"`;
  const configPath = `transports.${deps.name}`;
  if (config.connect === undefined && config.listen === undefined) {
    throw new Error(`${what} has neither "connect" (the worker it calls) nor "listen" (where it serves): set one or both under ${configPath}`);
  }
  const responder = new Responder({ what, log: deps.log, codec, maxInFlight: config.maxInFlight, maxQueue: config.maxQueue, maxFrameBytes: config.maxFrameBytes });
  const server = config.listen === undefined ? undefined : new TcpServer({ what, configPath, log: deps.log, listen: config.listen, maxFrameBytes: config.maxFrameBytes, responder });
  const client =
    config.connect === undefined
      ? undefined
      : new TcpClient({
          what,
          log: deps.log,
          codec,
          address: parseHostPort(config.connect, configPath),
          poolSize: config.poolSize,
          connectTimeoutMs: config.connectTimeoutMs,
          heartbeatMs: config.heartbeatMs,
          maxFrameBytes: config.maxFrameBytes,
          maxPending: config.maxPending,
          reconnectInitialMs: config.reconnectInitialMs,
          reconnectMaxMs: config.reconnectMaxMs,
        });

  let closing: Promise<void> | undefined;
  const drain = async () => {
    // No new connections, and new requests on open ones answer UNAVAILABLE (the caller can go to
    // another worker); those taken are answered on their connections.
    server?.stopListening();
    await responder.drain();
  };

  return {
    type: 'tcp',
    name: deps.name,
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
        server?.endConnections(`${what} closed`);
        client?.close();
      })();
      return closing;
    },
    async kill() {
      server?.stopListening();
      server?.dropConnections(`${what} was killed`);
      client?.close();
    },
    ready: () => (client === undefined || client.ready) && (server === undefined || !responder.serving || responder.draining || server.listening),
    address: () => server?.address,
    stats: () => ({ client: client?.stats(), server: { ...(server?.stats() ?? { connections: 0, accepted: 0, protocolErrors: 0 }), ...responder.stats() } }),
    // A node that never serves on it (a gateway sharing the workers' config) reports no requests-in queue.
    queues: () => [...(client === undefined ? [] : [client.queue()]), ...(responder.serving ? [responder.queue()] : [])],
  };
}
