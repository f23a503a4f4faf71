import { type CallReply, type CallRequest, type Codec, type Envelope, errors, replyByDeadline, type Handler, isJunctionError, JunctionError, jsonCodec, type MemoryTransportConfig, WorkQueue } from '@junction/core';
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

  // Through the codec and back, as on any wire (its text form where it has one: the same
  // serialization without a Buffer copy each way); fresh objects rather than `delete` on the
  // decoded ones, which would drop them into V8's slow dictionary mode on every call.
  const text = codec.text;
  const roundTrip: (envelope: Envelope) => Envelope = text ? (e) => text.decode(text.encode(e)) : (e) => codec.decode(codec.encode(e));
  const wireRequest = (req: CallRequest): CallRequest => {
    const e = roundTrip({ v: 1, kind: 'request', id: req.id, service: req.service, method: req.method, args: req.args, meta: req.meta });
    if (e.kind !== 'request') throw new JunctionError('INTERNAL', `memory transport "${deps.name}": a request came back as a ${e.kind}`);
    return { id: e.id, service: e.service, method: e.method, args: e.args, meta: e.meta };
  };
  const wireReply = (reply: CallReply): CallReply => {
    const envelope = reply.error === undefined ? { v: 1 as const, kind: 'reply' as const, id: reply.id, result: reply.result } : { v: 1 as const, kind: 'reply' as const, id: reply.id, error: reply.error };
    const e = roundTrip(envelope);
    if (e.kind !== 'reply') throw new JunctionError('INTERNAL', `memory transport "${deps.name}": a reply came back as a ${e.kind}`);
    return e.error === undefined ? { id: e.id, result: e.result } : { id: e.id, error: e.error };
  };

  async function call(req: CallRequest): Promise<CallReply> {
    try {
      const handler = served.get(req.service);
      if (handler === undefined) return { id: req.id, error: errors.methodNotFound(req.service).toWire() };
      if (!accepting) return { id: req.id, error: errors.unavailable(`memory transport "${deps.name}"`, 'it is draining').toWire() };
      const wired = wireRequest(req);
      // The deadline bounds the slot too: a handler that never answers cannot hold it for ever.
      // A request whose deadline passed while it waited for a slot is dropped unrun (and counted).
      const reply = await queue.run(() => replyByDeadline(req, handler(wired), `memory transport "${deps.name}"`), req.meta.deadline);
      return wireReply(reply);
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
