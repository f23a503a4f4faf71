import { type Codec, jsonCodec, type TcpTransportConfig } from '@junction/core';
import { type TransportDeps } from '../transport';
import { parseHostPort } from '../direct/address';
import { Responder } from '../direct/responder';
import { checkEnds, type DirectServer, type DirectTransport, directTransport } from '../direct/transport';
import { TcpClient, type TcpClientStats } from './client';
import { TcpServer, type TcpServerStats } from './server';

export type TcpTransport = DirectTransport<TcpClientStats, TcpServerStats>;

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
  checkEnds(config, what, configPath);
  const responder = new Responder({ what, log: deps.log, codec, maxInFlight: config.maxInFlight, maxQueue: config.maxQueue, maxFrameBytes: config.maxFrameBytes });
  const tcp = config.listen === undefined ? undefined : new TcpServer({ what, configPath, log: deps.log, listen: config.listen, maxFrameBytes: config.maxFrameBytes, responder });
  const server: DirectServer<TcpServerStats> | undefined =
    tcp === undefined
      ? undefined
      : {
          listen: () => tcp.listen(),
          get listening() {
            return tcp.listening;
          },
          get address() {
            return tcp.address;
          },
          stats: () => tcp.stats(),
          // No new connections while draining: the balancer's next try goes to another worker.
          stopAccepting: () => tcp.stopListening(),
          end: (graceful) => {
            if (graceful) return tcp.endConnections(`${what} closed`);
            tcp.stopListening();
            tcp.dropConnections(`${what} was killed`);
          },
        };
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
  return directTransport({ type: 'tcp', name: deps.name, what, configPath, responder, client, server, idleServerStats: { connections: 0, accepted: 0, protocolErrors: 0 } });
}
