import { type IncomingHttpHeaders } from 'node:http';
import {
  type Args,
  type CallMeta,
  type CallReply,
  type CallRequest,
  childTrace,
  errors,
  formatTraceparent,
  type GatewayConfig,
  type Handler,
  isJunctionError,
  isTraceparent,
  JunctionError,
  type Logger,
  newRequestId,
  type NodeMetrics,
  type QueueStats,
  type WireError,
  WorkQueue,
  type Tracer,
} from '@junction/core';
import { createKeyring } from './auth';
import { gatewaySpan } from './trace-span';

export const TIMEOUT_HEADER = 'x-junction-timeout-ms';
const POSITIVE_INT = /^[1-9][0-9]{0,14}$/;

/** Hands one call on; never rejects. */
export type Invoke = (service: string, method: string, args: Args, meta: CallMeta) => Promise<CallReply>;

/** What every protocol does with an HTTP call before and after its own parsing. */
export interface Edge {
  /**
   * The request's W3C traceparent: the client's, when it sent a valid one, else a new trace,
   * sampled here once, by the rate of `service` (the service its first call is to, when the
   * protocol knows it before the call; the default rate otherwise). Its calls keep that decision,
   * so the response header says whether they were recorded.
   */
  trace(headers: IncomingHttpHeaders, service?: string): string;
  /** Deadline and caller of the request's calls. Throws UNAUTHENTICATED or INVALID_REQUEST. */
  meta(headers: IncomingHttpHeaders, traceparent: string): CallMeta;
  /**
   * Hands one call to the node's chain through the gateway's bounded "HTTP in" queue. Never
   * rejects: a full queue is an OVERLOADED reply, a call whose deadline passed while it waited a
   * TIMEOUT reply.
   */
  invoke: Invoke;
  /** Turns anything thrown into a wire error; logs what is not a JunctionError. */
  wire(err: unknown, where: string): WireError;
  stats(): QueueStats;
}

export interface EdgeOptions {
  config: GatewayConfig;
  handler: Handler;
  log: Logger;
  debug: boolean;
  /** This process's tracer, when tracing is on: each call gets a gateway span; traces started here are sampled here, per service. */
  tracer?: Tracer;
  /** Counts each call the edge hands on, by outcome, with its latency; nothing counted when absent. */
  metrics?: Pick<NodeMetrics, 'edge'>;
}

// Marks the metas of requests whose trace began here (no valid traceparent came). The first call
// of such a request is the trace's root, its gateway span the one the response header names; the
// mark then says so, and the request's later calls (a batch) are that span's children. A symbol,
// not a WeakSet: a WeakSet entry per request made every garbage collection walk an ephemeron
// table. invoke() copies a meta field by field, so the mark never leaves the gateway. The mark is
// an object, shared by the copies a protocol makes of the meta (a notification's), so that one
// request has one root whichever of its calls comes first.
const STARTED_HERE = Symbol('startedHere');
type EdgeMeta = CallMeta & { [STARTED_HERE]?: { taken: boolean } };

/** Whether the call of `meta` is its trace's root: the first call of a request whose trace began here. */
function rootOf(meta: EdgeMeta): boolean {
  const mark = meta[STARTED_HERE];
  if (mark === undefined || mark.taken) return false;
  mark.taken = true;
  return true;
}

function expired(req: CallRequest, deadline: number): CallReply {
  return { id: req.id, error: errors.timeout(`${req.service}.${req.method} (request ${req.id}, waiting in the gateway)`, deadline).toWire() };
}

export function createEdge({ config, handler, log, debug, metrics, tracer }: EdgeOptions): Edge {
  const keyring = createKeyring(config.apiKeys, config.requireKey);
  const queue = new WorkQueue('gateway "HTTP in" queue', { maxInFlight: config.maxInFlight, maxWaiting: config.maxQueue });
  const defaultTimeoutMs = config.defaultTimeoutMs;

  const wire = (err: unknown, where: string): WireError => {
    if (isJunctionError(err)) return err.toWire();
    log.error({ err, where }, 'unexpected error in the gateway');
    const out: WireError = { code: 'INTERNAL', message: `internal error in the gateway while ${where}; its log has the details`, retryable: false };
    if (debug) out.data = { message: (err as Error)?.message, stack: (err as Error)?.stack };
    return out;
  };

  return {
    trace(headers, service) {
      const incoming = headers.traceparent;
      // A client's valid traceparent is passed on; anything else starts a trace here, sampled by
      // this gateway's rate (a malformed header is no decision of the client's).
      if (typeof incoming === 'string' && isTraceparent(incoming)) return incoming;
      return tracer === undefined ? formatTraceparent(childTrace(undefined)) : tracer.rootTraceparent(service ?? '');
    },

    meta(headers, traceparent) {
      const caller = keyring.identify(headers);
      let timeoutMs = defaultTimeoutMs;
      const asked = headers[TIMEOUT_HEADER];
      if (asked !== undefined) {
        if (typeof asked !== 'string' || !POSITIVE_INT.test(asked)) {
          throw new JunctionError('INVALID_REQUEST', `header ${TIMEOUT_HEADER} must be a positive integer of milliseconds, got ${JSON.stringify(asked)}`, {
            header: TIMEOUT_HEADER,
          });
        }
        timeoutMs = Number(asked);
      }
      const meta: EdgeMeta = { traceparent, deadline: Date.now() + timeoutMs, caller, attempt: 1 };
      if (tracer !== undefined && headers.traceparent !== traceparent) meta[STARTED_HERE] = { taken: false };
      return meta;
    },

    invoke(service, method, args, meta) {
      const m: CallMeta = { traceparent: meta.traceparent, deadline: meta.deadline, caller: meta.caller, attempt: 1 };
      if (meta.oneWay === true) m.oneWay = true;
      const req: CallRequest = { id: newRequestId(), service, method, args, meta: m };
      // Begun before the call waits for a slot; it makes itself the next hop's parent (req.meta.traceparent).
      const span = tracer === undefined ? undefined : gatewaySpan(tracer, req, rootOf(meta as EdgeMeta));
      const deadline = meta.deadline ?? Infinity;
      // A call whose deadline passed while it waited for a slot is not handed on: nobody waits for it.
      const task = () => (Date.now() < deadline ? handler(req) : Promise.resolve(expired(req, deadline)));
      const failed = (err: unknown): CallReply => ({ id: req.id, error: wire(err, `calling ${service}.${method}`) });
      if (metrics === undefined && span === undefined) return queue.run(task).then(undefined, failed);
      const started = performance.now();
      const done = (reply: CallReply): CallReply => {
        metrics?.edge(service, method, reply, performance.now() - started);
        span?.end(`${service}.${method}`, reply);
        return reply;
      };
      // One then() with both branches: counting and tracing cost no promise more than neither.
      return queue.run(task).then(done, (err: unknown) => done(failed(err)));
    },

    wire,
    stats: () => queue.stats(),
  };
}
