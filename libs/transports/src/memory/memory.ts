import { type CallReply, type CallRequest, type Codec, errors, replyByDeadline, type Handler, isJunctionError, JunctionError, jsonCodec, type MemoryTransportConfig, roundTrip, WorkQueue } from '@junction/core';
import { type Transport, type TransportDeps } from '../transport';

/**
 * The embedded default: client and server in one process. Every envelope is encoded and decoded
 * exactly as a remote transport would, so a result that cannot cross a wire fails here too, and
 * requests pass through a bounded queue.
 */
export function createMemoryTransport(config: MemoryTransportConfig, deps: TransportDeps, codec: Codec = jsonCodec): Transport {
  const served = new Map<string, Handler>();
  const queue = new WorkQueue(`memory transport "${deps.name}"`, { maxInFlight: config.maxInFlight, maxWaiting: config.maxQueue });
  let accepting = true;

  // Through the codec and back, as on any wire: the codec's own round trip, which for JSON
  // serializes only the values callers and handlers made (codec.ts says why that is exact).
  const wire = roundTrip(codec);

  async function call(req: CallRequest): Promise<CallReply> {
    try {
      const handler = served.get(req.service);
      if (handler === undefined) return { id: req.id, error: errors.methodNotFound(req.service).toWire() };
      if (!accepting) return { id: req.id, error: errors.unavailable(`memory transport "${deps.name}"`, 'it is draining').toWire() };
      const wired = wire.request(req);
      // The deadline bounds the slot too: a handler that never answers cannot hold it for ever.
      // A request whose deadline passed while it waited for a slot is dropped unrun (and counted).
      const reply = await queue.run(() => replyByDeadline(req, handler(wired), `memory transport "${deps.name}"`), req.meta.deadline);
      return wire.reply(reply);
    } catch (err) {
      if (isJunctionError(err)) return { id: req.id, error: err.toWire() };
      return { id: req.id, error: new JunctionError('INTERNAL', `memory transport "${deps.name}": ${(err as Error).message}`).toWire() };
    }
  }

  return {
    type: 'memory',
    name: deps.name,
    capabilities: { durable: false, ack: false, balancing: 'none', serializes: true },
    call,
    async serve(services, handler) {
      for (const s of services) {
        if (served.has(s)) throw new Error(`memory transport "${deps.name}": service "${s}" is already served in this process`);
        served.set(s, handler);
      }
    },
    async drain() {
      accepting = false;
      await queue.drain();
    },
    async start() {
      accepting = true;
    },
    async close() {
      accepting = false;
      await queue.drain();
      served.clear();
    },
    // In one process there is nobody to hand the abandoned calls to: stop taking calls and go.
    async kill() {
      accepting = false;
      served.clear();
    },
    ready: () => true,
    queues: () => [queue.stats()],
  };
}
