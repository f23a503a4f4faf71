import { type Codec, JunctionError, jsonCodec, type ZeromqTransportConfig } from '@junction/core';
import { type Transport, type TransportDeps } from '../transport';
import { type HostPort, parseHostPort } from '../direct/address';
import { Responder, type ResponderStats } from '../direct/responder';
import { ZeromqClient, type ZeromqClientStats } from './client';
import { ZeromqServer, type ZeromqServerStats } from './server';

export interface ZeromqTransportStats {
  client?: ZeromqClientStats;
  server: ZeromqServerStats & ResponderStats;
}

export interface ZeromqTransport extends Transport {
  /** Where it listens once serving (the port the OS gave, when `listen.port` is 0). */
  address(): HostPort | undefined;
  stats(): ZeromqTransportStats;
}

/**
 * ZeroMQ (the zeromq package, libzmq 4.3) with the semantics of the tcp transport: a DEALER
 * connected to the worker at `connect`, a ROUTER bound to `listen` when the worker serves; the same
 * envelope, one ZeroMQ message each. Point to point, at-most-once, no broker: one transport per
 * worker, balanced by the `route` proxy. libzmq reconnects by itself; see ZeromqClient for how a
 * dead peer is made to fail calls at once rather than at their deadline.
 *
 * @example
 * const w1 = createZeromqTransport({ type: 'zeromq', connect: 'render-07:7101', ...defaults }, { name: 'w1', log });
 * await w1.start();
 * const reply = await w1.call(request);
 */
export function createZeromqTransport(config: ZeromqTransportConfig, deps: TransportDeps, codec: Codec = jsonCodec): ZeromqTransport {
  const what = `zeromq transport "${deps.name}"`;
  const configPath = `transports.${deps.name}`;
  if (config.connect === undefined && config.listen === undefined) {
    throw new Error(`${what} has neither "connect" (the worker it calls) nor "listen" (where it serves): set one or both under ${configPath}`);
  }
  const responder = new Responder({ what, log: deps.log, codec, maxInFlight: config.maxInFlight, maxQueue: config.maxQueue, maxFrameBytes: config.maxFrameBytes });
  const server =
    config.listen === undefined
      ? undefined
      : new ZeromqServer({ what, configPath, log: deps.log, listen: config.listen, heartbeatMs: config.heartbeatMs, maxFrameBytes: config.maxFrameBytes, maxReplies: config.maxInFlight + config.maxQueue, responder });
  const client =
    config.connect === undefined
      ? undefined
      : new ZeromqClient({
          what,
          log: deps.log,
          codec,
          address: parseHostPort(config.connect, configPath),
          heartbeatMs: config.heartbeatMs,
          maxFrameBytes: config.maxFrameBytes,
          maxPending: config.maxPending,
          reconnectInitialMs: config.reconnectInitialMs,
          reconnectMaxMs: config.reconnectMaxMs,
        });

  let closing: Promise<void> | undefined;
  // A ROUTER cannot refuse new connections without dropping the open ones (unbind closes them all),
  // so a draining worker stays bound and answers new requests UNAVAILABLE until it closes.
  const drain = () => responder.drain();

  return {
    type: 'zeromq',
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
        server?.close(true);
        client?.close();
      })();
      return closing;
    },
    async kill() {
      server?.close(false);
      client?.close();
    },
    ready: () => (client === undefined || client.ready) && (server === undefined || !responder.serving || responder.draining || server.listening),
    address: () => server?.address,
    stats: () => ({ client: client?.stats(), server: { ...(server?.stats() ?? { repliesDropped: 0 }), ...responder.stats() } }),
    // A node that never serves on it (a gateway sharing the workers' config) reports no requests-in queue.
    queues: () => [...(client === undefined ? [] : [client.queue()]), ...(responder.serving ? [responder.queue()] : [])],
  };
}
