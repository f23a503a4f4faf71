import { type Codec, jsonCodec, type ZeromqTransportConfig } from '@junction/core';
import { type TransportDeps } from '../transport';
import { parseHostPort } from '../direct/address';
import { Responder } from '../direct/responder';
import { checkEnds, type DirectServer, type DirectTransport, directTransport } from '../direct/transport';
import { ZeromqClient, type ZeromqClientStats } from './client';
import { ZeromqServer, type ZeromqServerStats } from './server';

export type ZeromqTransport = DirectTransport<ZeromqClientStats, ZeromqServerStats>;

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
  checkEnds(config, what, configPath);
  const responder = new Responder({ what, log: deps.log, codec, maxInFlight: config.maxInFlight, maxQueue: config.maxQueue, maxFrameBytes: config.maxFrameBytes });
  const router =
    config.listen === undefined
      ? undefined
      : new ZeromqServer({ what, configPath, log: deps.log, listen: config.listen, heartbeatMs: config.heartbeatMs, maxFrameBytes: config.maxFrameBytes, maxReplies: config.maxInFlight + config.maxQueue, responder });
  const server: DirectServer<ZeromqServerStats> | undefined =
    router === undefined
      ? undefined
      : {
          listen: () => router.listen(),
          get listening() {
            return router.listening;
          },
          get address() {
            return router.address;
          },
          stats: () => router.stats(),
          // A ROUTER cannot refuse new connections without dropping the open ones (unbind closes
          // them all), so a draining worker stays bound and answers new requests UNAVAILABLE.
          stopAccepting: () => undefined,
          end: (graceful) => router.close(graceful),
        };
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
  return directTransport({ type: 'zeromq', name: deps.name, what, configPath, responder, client, server, idleServerStats: { repliesDropped: 0 } });
}
